using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// A valid PNG of a huge, all-black image that is small on disk: 1-bit greyscale rows of zeros,
/// deflated (30,000×30,000 is ~110 MB of scanlines, a few hundred KB compressed, and 2.7 GB once
/// decoded to RGB). Written as a stream, so making it costs little memory.
/// </summary>
public static class PngBomb
{
    public static void Write(string path, int width, int height)
    {
        using var file = File.Create(path);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth
        ihdr[9] = 0; // greyscale
        Chunk(file, "IHDR", ihdr);
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8]; // filter byte 0 + packed bits
            for (int y = 0; y < height; y++)
            {
                z.Write(row);
            }
        }

        Chunk(file, "IDAT", idat.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream to, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        to.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        to.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        to.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
        }

        return ~c;
    }
}
