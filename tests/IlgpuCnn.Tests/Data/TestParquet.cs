using IlgpuCnn.Data;
using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// Writes small Parquet files in the Hugging Face <c>uoft-cs/cifar10</c> schema (img struct
/// {bytes, path = null}, label int64, several row groups) and makes PNGs for them.
/// </summary>
public static class TestParquet
{
    /// <summary>A fresh empty folder under the system temp dir.</summary>
    public static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ilgpucnn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A PNG of the given size whose pixel (x, y) has channels from <paramref name="pixel"/>.</summary>
    public static byte[] Png(int width, int height, Func<int, int, Rgb24> pixel, PngColorType colorType = PngColorType.Rgb)
    {
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = pixel(x, y);
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = colorType, BitDepth = PngBitDepth.Bit8 });
        return stream.ToArray();
    }

    /// <summary>A deterministic pseudo-random 32×32 RGB PNG; the same seed gives the same pixels as <see cref="RandomPixel"/>.</summary>
    public static byte[] RandomPng(int seed) => Png(32, 32, (x, y) => RandomPixel(seed, x, y));

    public static Rgb24 RandomPixel(int seed, int x, int y)
    {
        uint h = (uint)((seed * 7919) + (y * 131) + (x * 17));
        h = (h ^ (h >> 7)) * 0x9E3779B1u;
        return new Rgb24((byte)h, (byte)(h >> 8), (byte)(h >> 16));
    }

    /// <summary>Writes rows of (PNG, label) to <paramref name="path"/>, <paramref name="rowsPerGroup"/> rows per row group.</summary>
    /// <summary>A "data" folder under <paramref name="parent"/> with a 40-row training and a 12-row test file of random rows; returns its path.</summary>
    public static string TinySplits(string parent)
    {
        string data = Path.Combine(parent, "data");
        Directory.CreateDirectory(data);
        Write(Path.Combine(data, DataLocator.TrainFileName), RandomRows(40), rowsPerGroup: 16);
        Write(Path.Combine(data, DataLocator.TestFileName), RandomRows(12), rowsPerGroup: 5);
        return data;
    }

    public static void Write(string path, IReadOnlyList<(byte[] Png, long Label)> rows, int rowsPerGroup = 4) =>
        IlgpuCnn.Data.CifarParquetWriter.Write(path, rows, rowsPerGroup);

    /// <summary>Writes a Parquet file with another schema (columns <c>image</c> bytes and <c>target</c> int32).</summary>
    public static void WriteOtherSchema(string path)
    {
        WriteOtherAsync(path).GetAwaiter().GetResult();

        static async Task WriteOtherAsync(string path)
        {
            var image = new DataField<byte[]>("image");
            var target = new DataField<int>("target");
            await using var file = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(image, target), file);
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(image, new List<byte[]> { RandomPng(1), RandomPng(2) });
            await rowGroup.WriteAsync<int>(target, new[] { 1, 2 }.AsMemory());
        }
    }

    /// <summary>Rows of random 32×32 PNGs with labels i mod 10.</summary>
    public static List<(byte[] Png, long Label)> RandomRows(int count) =>
        Enumerable.Range(0, count).Select(i => (RandomPng(i), (long)(i % 10))).ToList();
}
