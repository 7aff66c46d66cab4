namespace IlgpuCnn.Data;

/// <summary>
/// Copies the first rows of splits into another folder as Hugging Face shards
/// (<c>{split}-{i:D5}-of-{n:D5}.parquet</c>) of at most a given size each, the PNG bytes and labels
/// exactly as stored, then reads the new shards back and compares every row (pixels and label)
/// with the source. The new set is built in a hidden staging folder inside the target and swapped
/// in only when every split is complete and verified, so an interrupted export leaves the old set
/// intact (its staging folder is removed then, or by the next export). An export never touches its
/// source: a target that is, holds or lies in the source's folder is refused.
/// </summary>
public static class CifarShardExport
{
    /// <summary>The name prefix of a staging folder inside the target.</summary>
    public const string StagingPrefix = ".export-";

    /// <summary>Parquet bytes per row beside its PNG (length prefix, label, levels), an upper estimate.</summary>
    private const int RowOverhead = 32;

    /// <summary>Parquet bytes per file (footer, schema, row-group metadata), an upper estimate.</summary>
    private const int FileOverhead = 64 * 1024;

    /// <summary>Rows per row group, as the hub's files have them.</summary>
    private const int RowsPerGroup = 100;

    /// <summary>Exports one split (<see cref="ExportSplits"/>); returns the shard paths written, in order.</summary>
    public static IReadOnlyList<string> Export(IReadOnlyList<string> shards, string split, string target, int? limit, long? maxShardBytes, CifarDataset? source = null) =>
        ExportSplits([new ExportSplit(split, shards, limit, source)], target, maxShardBytes)[0];

    /// <summary>
    /// Exports and verifies every split into <paramref name="target"/>, then swaps the new shards in
    /// (an older set of the same splits there is removed); returns each split's shard paths, in order.
    /// <paramref name="maxShardBytes"/> null writes one file per split; <paramref name="cancel"/>
    /// stops between shards (<see cref="OperationCanceledException"/>, the old set untouched).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> ExportSplits(IReadOnlyList<ExportSplit> splits, string target, long? maxShardBytes, CancellationToken cancel = default)
    {
        foreach (var split in splits)
        {
            RequireSeparate(split.Shards, target);
            foreach (var existing in Directory.Exists(target) ? Directory.EnumerateFileSystemEntries(target, $"{split.Split}-*-of-*.parquet") : [])
            {
                OutputPath.RequireWritable(existing); // a folder or FIFO where a shard goes: refused before any work
            }

            if (split.Limit is < 1)
            {
                throw new UserError($"The row limit of an export must be at least 1, but got {split.Limit}.");
            }
        }

        string staging = BeginStaging(target);
        try
        {
            var staged = splits.Select(s => ExportInto(s, staging, maxShardBytes, cancel)).ToList();
            cancel.ThrowIfCancellationRequested();
            return splits.Select((s, i) => Commit(staged[i], s.Split, target)).ToList();
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Refuses a target that is, holds or lies inside the folder of one of <paramref name="shards"/>.</summary>
    public static void RequireSeparate(IEnumerable<string> shards, string target)
    {
        foreach (var shard in shards)
        {
            RequireOutside(Path.GetDirectoryName(Path.GetFullPath(shard))!, target);
        }
    }

    /// <summary>Refuses a <paramref name="target"/> that is, holds or lies inside <paramref name="sourceDirectory"/> (symbolic links resolved).</summary>
    public static void RequireOutside(string sourceDirectory, string target)
    {
        string to = OutputPath.Resolve(target).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string from = OutputPath.Resolve(sourceDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (to.StartsWith(from, StringComparison.Ordinal) || from.StartsWith(to, StringComparison.Ordinal))
        {
            throw new UserError($"The export folder {target} overlaps the data folder {sourceDirectory} it copies from; pass a folder outside it, so that the source files are never overwritten.");
        }
    }

    /// <summary>A fresh hidden staging folder in <paramref name="target"/> (created when missing), after removing those of earlier interrupted exports.</summary>
    private static string BeginStaging(string target)
    {
        var kind = PathKind.Of(target);
        if (kind is not (FileKind.Missing or FileKind.Directory))
        {
            throw new UserError($"The export folder {target} is {PathKind.Describe(kind)}, not a folder; pass a folder to write the Parquet files into.");
        }

        Directory.CreateDirectory(target);
        foreach (var old in Directory.EnumerateDirectories(target, StagingPrefix + "*"))
        {
            Directory.Delete(old, recursive: true);
        }

        foreach (var split in new[] { CifarShards.Train, CifarShards.Test })
        {
            foreach (var tmp in Directory.EnumerateFiles(target, $".{split}-*{AtomicFile.TempExtension}"))
            {
                File.Delete(tmp);
            }
        }

        return Directory.CreateDirectory(Path.Combine(target, StagingPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)))).FullName;
    }

    /// <summary>Writes and verifies one split's shards in <paramref name="staging"/>.</summary>
    private static List<string> ExportInto(ExportSplit split, string staging, long? maxShardBytes, CancellationToken cancel)
    {
        var rows = CifarParquetReader.ReadRawRows(split.Shards, split.Limit);
        long budget = maxShardBytes ?? long.MaxValue;
        for (int attempt = 0; ; attempt++)
        {
            var plan = Plan(rows, budget == long.MaxValue ? long.MaxValue : (long)(budget * Math.Pow(0.9, attempt)));
            var written = Write(rows, plan, split.Split, staging, cancel);
            var tooBig = written.FirstOrDefault(p => new FileInfo(p).Length > budget);
            if (tooBig is null)
            {
                Verify(written, split.Split, split.Source ?? CifarParquetReader.ReadSplit(split.Shards, split.Limit), rows.Count, staging);
                return written;
            }

            foreach (var path in written)
            {
                File.Delete(path);
            }

            if (attempt == 4)
            {
                throw new UserError($"The {split.Split} shards came out at {new FileInfo(tooBig).Length:N0} bytes, over the {budget:N0}-byte shard limit even with smaller shards; pass a larger shard size.");
            }
        }
    }

    /// <summary>Removes the target's shards of <paramref name="split"/>, then moves the staged ones in; returns their new paths.</summary>
    private static List<string> Commit(List<string> staged, string split, string target)
    {
        foreach (var path in staged)
        {
            OutputPath.RequireWritable(Path.Combine(target, Path.GetFileName(path)));
        }

        foreach (var old in Directory.EnumerateFiles(target, $"{split}-*-of-*.parquet").ToList())
        {
            File.Delete(old);
        }

        var moved = new List<string>();
        foreach (var path in staged)
        {
            string to = Path.Combine(target, Path.GetFileName(path));
            File.Move(path, to, overwrite: true);
            moved.Add(to);
        }

        return moved;
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
            throw new UserError($"A shard limit of {budget:N0} bytes is too small for these rows (one row takes up to {largest:N0} bytes plus {FileOverhead:N0} for the file); pass a larger shard size.");
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

    private static List<string> Write(List<(byte[] Png, long Label)> rows, List<int> plan, string split, string target, CancellationToken cancel)
    {
        int count = plan.Count - 1;
        var written = new List<string>();
        for (int s = 0; s < count; s++)
        {
            cancel.ThrowIfCancellationRequested();
            string path = Path.Combine(target, CifarShards.FileName(split, s, count));
            try
            {
                CifarParquetWriter.Write(path, rows.GetRange(plan[s], plan[s + 1] - plan[s]), RowsPerGroup);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The writer has removed its temporary file; name the file the user asked for.
                throw new UserError($"Could not write {path} ({e.Message.Split(" : ")[0].TrimEnd('.')}); free disk space or export into another folder.", e);
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
}
