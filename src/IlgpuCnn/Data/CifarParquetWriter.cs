using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Data;

/// <summary>
/// Writes Parquet files in the Hugging Face <c>uoft-cs/cifar10</c> layout (img struct {bytes: PNG,
/// path: null}, label int64, row groups of 100 as <c>datasets</c> writes them), through
/// <see cref="AtomicFile"/>. Used to export a subset of the data (<c>ilgpucnn data --export</c>) and by tests.
/// </summary>
public static class CifarParquetWriter
{
    /// <summary>Writes (PNG bytes, label) rows.</summary>
    public static void Write(string path, IReadOnlyList<(byte[] Png, long Label)> rows, int rowsPerGroup = 100)
    {
        AtomicFile.Write(path, stream => WriteAsync(stream, rows, rowsPerGroup).GetAwaiter().GetResult());
    }

    /// <summary>Writes a dataset, re-encoding each image as a lossless 8-bit RGB PNG.</summary>
    public static void Write(string path, CifarDataset data, int rowsPerGroup = 100)
    {
        var rows = new (byte[] Png, long Label)[data.Count];
        Parallel.For(0, data.Count, i => rows[i] = (EncodePng(data.Image(i).ToArray()), data.Labels[i]));
        Write(path, rows, rowsPerGroup);
    }

    /// <summary>A 32×32 PNG of one image given as (3, 32, 32) floats in [0, 1].</summary>
    public static byte[] EncodePng(float[] chw)
    {
        const int size = CifarDataset.ImageSize;
        using var image = new Image<Rgb24>(size, size);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int i = y * size + x;
                image[x, y] = new Rgb24(Byte(chw[i]), Byte(chw[size * size + i]), Byte(chw[2 * size * size + i]));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        return stream.ToArray();
    }

    private static byte Byte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);

    private static async Task WriteAsync(Stream file, IReadOnlyList<(byte[] Png, long Label)> rows, int rowsPerGroup)
    {
        var bytes = new DataField("bytes", typeof(byte[]), isNullable: true);
        var pathField = new DataField("path", typeof(string), isNullable: true);
        var label = new DataField<long?>("label");
        var schema = new ParquetSchema(new StructField("img", bytes, pathField), label);
        await using var writer = await ParquetWriter.CreateAsync(schema, file);
        for (int start = 0; start < rows.Count; start += rowsPerGroup)
        {
            var group = rows.Skip(start).Take(rowsPerGroup).ToList();
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(bytes, group.Select(r => r.Png).ToList());
            await rowGroup.WriteAsync(pathField, group.Select(_ => (string)null!).ToList());
            await rowGroup.WriteAsync<long>(label, group.Select(r => (long?)r.Label).ToArray().AsMemory());
        }
    }
}
