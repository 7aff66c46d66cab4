using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Data;

/// <summary>
/// Reads a CIFAR-10 Parquet file in the Hugging Face <c>uoft-cs/cifar10</c> layout
/// (<c>img</c> = struct{bytes: PNG, path}, <c>label</c> int64) into a <see cref="CifarDataset"/>,
/// one row group at a time, decoding the PNGs of a row group in parallel.
/// Every image must be a 32×32 8-bit RGB PNG and every label 0..9; anything else is a
/// <see cref="UserError"/> naming the file and the (0-based) row.
/// Measured on the 2-core development machine (Release, `ilgpucnn data`, files in the page
/// cache): reading and decoding all 60,000 images (train + test) took 5.4 s wall, 4.7 s CPU
/// (~80 µs CPU per image, ~11,000 images/s); 6.6–11 s when other builds shared the cores.
/// </summary>
public static class CifarParquetReader
{
    /// <summary>Reads the first <paramref name="limit"/> rows (all rows when null).</summary>
    public static CifarDataset Read(string path, int? limit = null) =>
        ReadAsync(path, limit).GetAwaiter().GetResult();

    /// <summary>Number of rows the file says it holds, read from its footer only (fast).</summary>
    public static long CountRows(string path)
    {
        return CountRowsAsync(path).GetAwaiter().GetResult();

        static async Task<long> CountRowsAsync(string path)
        {
            await using var reader = await Open(path).ConfigureAwait(false);
            FindColumns(reader.Schema, path);
            return RowCount(reader);
        }
    }

    /// <summary>Reads the first <paramref name="limit"/> rows (all rows when null).</summary>
    public static Task<CifarDataset> ReadAsync(string path, int? limit = null) => ReadSplitAsync([path], limit);

    /// <summary>
    /// Reads the shards of one split in order (<see cref="CifarShards.Find"/>) as one dataset: the
    /// first <paramref name="limit"/> rows of their concatenation (all rows when null).
    /// </summary>
    public static CifarDataset ReadSplit(IReadOnlyList<string> shards, int? limit = null) =>
        ReadSplitAsync(shards, limit).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="ReadSplit"/>.</summary>
    public static async Task<CifarDataset> ReadSplitAsync(IReadOnlyList<string> shards, int? limit = null)
    {
        if (limit is < 0)
        {
            throw new UserError($"The row limit must be 0 or more, but got {limit}.");
        }

        var counts = new long[shards.Count];
        for (int i = 0; i < shards.Count; i++)
        {
            await using var reader = await Open(shards[i]).ConfigureAwait(false);
            FindColumns(reader.Schema, shards[i]);
            counts[i] = RowCount(reader);
        }

        int rows = (int)Math.Min(counts.Sum(), limit ?? long.MaxValue);
        var images = new float[(long)rows * CifarDataset.ImageFloats];
        var labels = new int[rows];
        int done = 0;
        for (int i = 0; i < shards.Count && done < rows; i++)
        {
            int take = (int)Math.Min(counts[i], rows - done);
            await ForEachRowGroup(shards[i], take, (start, pngs, groupLabels, groupTake) =>
                DecodeGroup(shards[i], start, done + start, pngs, groupLabels, groupTake, images, labels)).ConfigureAwait(false);
            done += take;
        }

        string source = shards.Count == 1 ? shards[0] : $"{shards[0]} and {shards.Count - 1} more shard{(shards.Count > 2 ? "s" : "")}";
        return new CifarDataset(images, labels, source);
    }

    /// <summary>
    /// The first <paramref name="limit"/> rows of the shards as stored: PNG bytes and label, not
    /// decoded (for <c>data --export</c>, which copies them; its read-back decodes and verifies).
    /// </summary>
    public static List<(byte[] Png, long Label)> ReadRawRows(IReadOnlyList<string> shards, int? limit = null)
    {
        return ReadAll().GetAwaiter().GetResult();

        async Task<List<(byte[] Png, long Label)>> ReadAll()
        {
            var rows = new List<(byte[] Png, long Label)>();
            foreach (var shard in shards)
            {
                int take;
                await using (var reader = await Open(shard).ConfigureAwait(false))
                {
                    FindColumns(reader.Schema, shard);
                    take = (int)Math.Min(RowCount(reader), (limit ?? long.MaxValue) - rows.Count);
                }

                await ForEachRowGroup(shard, take, (start, pngs, labels, groupTake) =>
                {
                    for (int i = 0; i < groupTake; i++)
                    {
                        if (pngs[i] is not { Length: > 0 } png || labels[i] is not long label)
                        {
                            throw new UserError($"Row {start + i} of {shard} has no image bytes or no label; this file is not CIFAR-10 (re-download it with `ilgpucnn data` or pass --data with the right folder).");
                        }

                        rows.Add((png, label));
                    }
                }).ConfigureAwait(false);
                if (limit is int l && rows.Count >= l)
                {
                    break;
                }
            }

            return rows;
        }
    }

    private static long RowCount(ParquetReader reader)
    {
        long rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return rows;
    }

    /// <summary>Reads the first <paramref name="rows"/> rows of a file a row group at a time: (first row of the group, PNG bytes, labels, rows of it to use).</summary>
    private static async Task ForEachRowGroup(string path, int rows, Action<int, byte[]?[], long?[], int> use)
    {
        await using var reader = await Open(path).ConfigureAwait(false);
        var (bytesField, labelField) = FindColumns(reader.Schema, path);
        int start = 0; // first row of the current row group
        for (int g = 0; g < reader.RowGroupCount && start < rows; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int groupRows = (int)group.RowCount;
            var pngs = new byte[]?[groupRows];
            var groupLabels = new long?[groupRows];
            try
            {
                await group.ReadAsync(bytesField, pngs.AsMemory()).ConfigureAwait(false);
                if (labelField.IsNullable)
                {
                    await group.ReadAsync<long>(labelField, groupLabels.AsMemory()).ConfigureAwait(false);
                }
                else
                {
                    var plain = new long[groupRows];
                    await group.ReadAsync<long>(labelField, plain.AsMemory()).ConfigureAwait(false);
                    for (int i = 0; i < groupRows; i++)
                    {
                        groupLabels[i] = plain[i];
                    }
                }
            }
            catch (Exception e) when (e is not UserError)
            {
                throw new UserError($"{path} is damaged: row group {g} (rows {start}..{start + groupRows - 1}) cannot be read ({e.Message}); delete the file and run `ilgpucnn data` to download it again.", e);
            }

            int take = Math.Min(groupRows, rows - start);
            use(start, pngs, groupLabels, take);
            start += take;
        }
    }

    /// <summary>Decodes <paramref name="take"/> rows of one row group in parallel; the lowest bad row is reported.</summary>
    private static void DecodeGroup(string path, int start, int at, byte[]?[] pngs, long?[] groupLabels, int take, float[] images, int[] labels)
    {
        var errors = new string?[take];
        const int plane = CifarDataset.ImageSize * CifarDataset.ImageSize;
        Parallel.For(
            0,
            take,
            () => new Rgb24[plane],
            (i, _, pixels) =>
            {
                int row = start + i;
                int to = at + i;
                long? label = groupLabels[i];
                if (label is null)
                {
                    errors[i] = $"Row {row} of {path} has no label, but every CIFAR-10 row needs a label 0..9; this file is not CIFAR-10 shaped (re-download it with `ilgpucnn data` or pass --data with the right folder).";
                    return pixels;
                }

                if (label is < 0 or >= CifarDataset.ClassCount)
                {
                    errors[i] = $"Row {row} of {path} has label {label}, but CIFAR-10 labels are 0..9; this file is not CIFAR-10 (re-download it with `ilgpucnn data` or pass --data with the right folder).";
                    return pixels;
                }

                labels[to] = (int)label.Value;
                errors[i] = DecodeImage(path, row, pngs[i], pixels, images.AsSpan(to * CifarDataset.ImageFloats, CifarDataset.ImageFloats));
                return pixels;
            },
            _ => { });

        foreach (var error in errors)
        {
            if (error is not null)
            {
                throw new UserError(error);
            }
        }
    }

    /// <summary>Decodes one PNG into [3, 32, 32] floats (pixel/255); returns an error sentence or null.</summary>
    private static string? DecodeImage(string path, int row, byte[]? png, Rgb24[] pixels, Span<float> destination)
    {
        const string fix = "this file is not CIFAR-10 (re-download it with `ilgpucnn data` or pass --data with the right folder).";
        // The header first: a cell of a few KB can declare a 30,000×30,000 image.
        if (HeaderProblem(png) is { } problem)
        {
            return $"Row {row} of {path} holds {problem}; {fix}";
        }

        Image<Rgb24> image;
        SixLabors.ImageSharp.Formats.IImageFormat format;
        try
        {
            image = Image.Load<Rgb24>(png, out format);
        }
        catch (Exception e)
        {
            return $"Row {row} of {path} holds image bytes that are not a readable PNG ({e.Message.TrimEnd('.')}); {fix}";
        }

        using (image)
        {
            if (NotCifar(image, format) is { } what)
            {
                return $"Row {row} of {path} holds {what}; {fix}";
            }

            image.CopyPixelDataTo(pixels);
        }

        const int plane = CifarDataset.ImageSize * CifarDataset.ImageSize;
        for (int p = 0; p < plane; p++)
        {
            destination[p] = pixels[p].R / 255f;
            destination[plane + p] = pixels[p].G / 255f;
            destination[(2 * plane) + p] = pixels[p].B / 255f;
        }

        return null;
    }

    /// <summary>What the PNG header says that makes the image no CIFAR-10 image (read before decoding), or null.</summary>
    private static string? HeaderProblem(byte[]? png)
    {
        if (png is null || png.Length == 0)
        {
            return "no image bytes";
        }

        if (!PngHeader.TryReadSize(png, out long width, out long height))
        {
            return "image bytes that are not a readable PNG (they do not start with a PNG header)";
        }

        return width != CifarDataset.ImageSize || height != CifarDataset.ImageSize
            ? $"a {width:N0}×{height:N0} PNG (from its header), but CIFAR-10 images are 32×32 RGB"
            : null;
    }

    /// <summary>What makes the image other than a 32×32 8-bit RGB PNG, or null.</summary>
    private static string? NotCifar(Image<Rgb24> image, SixLabors.ImageSharp.Formats.IImageFormat format)
    {
        if (format is not PngFormat)
        {
            return $"a {format.Name} image, but CIFAR-10 images are 32×32 RGB PNGs";
        }

        if (image.Width != CifarDataset.ImageSize || image.Height != CifarDataset.ImageSize)
        {
            return $"a {image.Width}×{image.Height} image, but CIFAR-10 images are 32×32 RGB";
        }

        var png8 = image.Metadata.GetPngMetadata();
        return png8.ColorType is not PngColorType.Rgb || png8.BitDepth is not PngBitDepth.Bit8
            ? $"a {png8.ColorType} {png8.BitDepth} PNG, but CIFAR-10 images are 8-bit RGB"
            : null;
    }

    private static async Task<ParquetReader> Open(string path)
    {
        var kind = PathKind.Of(path);
        if (kind == FileKind.Directory)
        {
            throw new UserError($"The data file {path} is a folder, not a Parquet file; put the CIFAR-10 Parquet file there in its place, or pass --data with the folder that holds the files.");
        }

        if (kind == FileKind.Missing)
        {
            throw new UserError($"The data file {path} does not exist; run `ilgpucnn data` to download CIFAR-10, or pass --data with the folder that holds the two Parquet files.");
        }

        if (kind != FileKind.Regular)
        {
            throw new UserError($"The data file {path} is {PathKind.Describe(kind)}, not a regular file; put the CIFAR-10 Parquet files there as regular files.");
        }

        try
        {
            return await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UserError($"The data file {path} cannot be opened ({e.Message.TrimEnd('.')}); check its permissions.", e);
        }
        catch (Exception e)
        {
            throw new UserError($"{path} is not a readable Parquet file (truncated or corrupt: {e.Message.TrimEnd('.')}); delete it and run `ilgpucnn data` to download it again.", e);
        }
    }

    /// <summary>The <c>img.bytes</c> and <c>label</c> columns, or a UserError naming what the file has instead.</summary>
    private static (DataField Bytes, DataField Label) FindColumns(ParquetSchema schema, string path)
    {
        DataField? bytes = null;
        DataField? label = null;
        foreach (var field in schema.Fields)
        {
            if (field is StructField { Name: "img" } img)
            {
                bytes = img.Fields.OfType<DataField>().FirstOrDefault(f => f.Name == "bytes" && (f.ClrType == typeof(byte[]) || f.ClrType == typeof(ReadOnlyMemory<byte>)));
            }
            else if (field is DataField { Name: "label" } l && l.ClrType == typeof(long))
            {
                label = l;
            }
        }

        if (bytes is null || label is null)
        {
            var columns = string.Join(", ", schema.GetDataFields().Select(f => f.Path.ToString()));
            throw new UserError($"{path} has the columns [{columns}], but a CIFAR-10 file needs an `img` struct with PNG `bytes` and an int64 `label` (the Hugging Face uoft-cs/cifar10 layout); pass --data with the folder of the right files.");
        }

        return (bytes, label);
    }
}
