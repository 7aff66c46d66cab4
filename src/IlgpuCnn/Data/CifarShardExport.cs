namespace IlgpuCnn.Data;

/// <summary>
/// Copies the first rows of a split into another folder as Hugging Face shards
/// (<c>{split}-{i:D5}-of-{n:D5}.parquet</c>) of at most a given size each, the PNG bytes and labels
/// exactly as stored, then reads the new shards back and compares every row (pixels and label)
/// with the source. Each shard is written atomically; shards of an older export of the same split
/// in the folder are deleted once the new set is complete and verified.
/// </summary>
public static class CifarShardExport
{
    /// <summary>Parquet bytes per row beside its PNG (length prefix, label, levels), an upper estimate.</summary>
    private const int RowOverhead = 32;

    /// <summary>Parquet bytes per file (footer, schema, row-group metadata), an upper estimate.</summary>
    private const int FileOverhead = 64 * 1024;

    /// <summary>Rows per row group, as the hub's files have them.</summary>
    private const int RowsPerGroup = 100;

    /// <summary>
    /// Exports and verifies; returns the shard paths written, in order. <paramref name="maxShardBytes"/>
    /// null writes one file; <paramref name="source"/> is the decoded source split when the caller
    /// already has it (else it is read again for the comparison).
    /// </summary>
    public static IReadOnlyList<string> Export(IReadOnlyList<string> shards, string split, string target, int? limit, long? maxShardBytes, CifarDataset? source = null)
    {
        if (limit is < 1)
        {
            throw new UserError($"The row limit of an export must be at least 1, but got {limit}.");
        }

        var rows = CifarParquetReader.ReadRawRows(shards, limit);
        Directory.CreateDirectory(target);
        long budget = maxShardBytes ?? long.MaxValue;
        for (int attempt = 0; ; attempt++)
        {
            var plan = Plan(rows, budget == long.MaxValue ? long.MaxValue : (long)(budget * Math.Pow(0.9, attempt)));
            var written = Write(rows, plan, split, target);
            var tooBig = written.FirstOrDefault(p => new FileInfo(p).Length > budget);
            if (tooBig is null)
            {
                Verify(written, split, source ?? CifarParquetReader.ReadSplit(shards, limit), rows.Count, target);
                DeleteOtherShards(target, split, written);
                return written;
            }

            foreach (var path in written)
            {
                File.Delete(path);
            }

            if (attempt == 4)
            {
                throw new UserError($"{tooBig} came out at {new FileInfo(tooBig).Length:N0} bytes, over the {budget:N0}-byte shard limit even with smaller shards; pass a larger --shard-mb.");
            }
        }
    }

    /// <summary>First row of each shard (and the row count at the end): as few shards as fit, of about equal size.</summary>
    private static List<int> Plan(List<(byte[] Png, long Label)> rows, long budget)
    {
        long Estimate(int from, int to)
        {
            long bytes = FileOverhead + ((long)(to - from) * RowOverhead);
            for (int i = from; i < to; i++)
            {
                bytes += rows[i].Png.Length;
            }

            return bytes;
        }

        long total = Estimate(0, rows.Count);
        int largest = rows.Count == 0 ? 0 : rows.Max(r => r.Png.Length) + RowOverhead;
        if (budget != long.MaxValue && budget < FileOverhead + (2L * largest))
        {
            throw new UserError($"A shard limit of {budget:N0} bytes is too small for these rows (one row takes up to {largest:N0} bytes plus {FileOverhead:N0} for the file); pass a larger --shard-mb.");
        }

        int count = budget == long.MaxValue ? 1 : (int)Math.Max(1, Math.Ceiling((total - FileOverhead) / (double)(budget - largest - FileOverhead)));
        var starts = new List<int> { 0 };
        long done = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            done += rows[i].Png.Length + RowOverhead;
            if (starts.Count < count && done >= starts.Count * (total - FileOverhead) / (double)count && i + 1 < rows.Count)
            {
                starts.Add(i + 1);
            }
        }

        starts.Add(rows.Count);
        return starts;
    }

    private static List<string> Write(List<(byte[] Png, long Label)> rows, List<int> plan, string split, string target)
    {
        int count = plan.Count - 1;
        var written = new List<string>();
        for (int s = 0; s < count; s++)
        {
            string path = Path.Combine(target, CifarShards.FileName(split, s, count));
            try
            {
                CifarParquetWriter.Write(path, rows.GetRange(plan[s], plan[s + 1] - plan[s]), RowsPerGroup);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The writer has removed its temporary file; name the file the user asked for.
                throw new UserError($"Could not write {path} ({e.Message.Split(" : ")[0].TrimEnd('.')}); free disk space or pass another --export folder.", e);
            }
            written.Add(path);
        }

        return written;
    }

    /// <summary>Reads the new shards back and compares count, order, pixels and labels with the source.</summary>
    private static void Verify(IReadOnlyList<string> written, string split, CifarDataset source, int rows, string target)
    {
        var back = CifarParquetReader.ReadSplit(written);
        string fix = $"the export in {target} cannot be trusted: delete it and export again.";
        if (back.Count != rows || source.Count < rows)
        {
            throw new UserError($"The exported {split} shards hold {back.Count:N0} rows, but {rows:N0} were written (the source has {source.Count:N0}); {fix}");
        }

        for (int i = 0; i < rows; i++)
        {
            if (back.Labels[i] != source.Labels[i] || !back.Image(i).SequenceEqual(source.Image(i)))
            {
                throw new UserError($"Row {i:N0} of the exported {split} shards differs from row {i:N0} of {source.Source}; {fix}");
            }
        }
    }

    private static void DeleteOtherShards(string target, string split, IReadOnlyList<string> keep)
    {
        var keepNames = keep.Select(Path.GetFileName).ToHashSet();
        foreach (var path in Directory.EnumerateFiles(target, $"{split}-*-of-*.parquet").ToList())
        {
            if (!keepNames.Contains(Path.GetFileName(path)))
            {
                File.Delete(path);
            }
        }
    }
}
