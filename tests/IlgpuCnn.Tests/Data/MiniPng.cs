using System.Buffers.Binary;
using System.IO.Compression;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// A minimal independent PNG decoder (8-bit RGB, non-interlaced only): chunks, zlib inflate
/// of the IDAT stream, and the five scanline filters. Used to check the reader's ImageSharp
/// decode by a different route.
/// </summary>
public static class MiniPng
{
    /// <summary>Returns (width, height, RGB bytes row-major).</summary>
    public static (int Width, int Height, byte[] Rgb) Decode(byte[] png)
    {
        byte[] signature = [137, 80, 78, 71, 13, 10, 26, 10];
        Assert.True(png.AsSpan(0, 8).SequenceEqual(signature), "not a PNG signature");
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);  // bit depth
                Assert.Equal(2, data[9]);  // colour type RGB
                Assert.Equal(0, data[12]); // not interlaced
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var scan = raw.ToArray();
        int stride = width * 3;
        var rgb = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = scan[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int x = scan[(y * (stride + 1)) + 1 + i];
                int a = i >= 3 ? rgb[(y * stride) + i - 3] : 0;
                int b = y > 0 ? rgb[((y - 1) * stride) + i] : 0;
                int c = i >= 3 && y > 0 ? rgb[((y - 1) * stride) + i - 3] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
                rgb[(y * stride) + i] = (byte)(x + predictor);
            }
        }

        return (width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
