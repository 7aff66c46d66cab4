namespace IlgpuCnn;

/// <summary>
/// The one way this program writes a file: into a unique hidden temp file beside the target,
/// named <c>.&lt;name&gt;.&lt;32 hex digits&gt;.tmp</c> (so <c>*.tmp</c> finds every leftover), flushed to
/// disk, then renamed over the target; if anything fails the temp file is deleted and the target
/// keeps its old content (or stays absent). Readers never see a half-written file.
/// </summary>
public static class AtomicFile
{
    /// <summary>The extension every temp file ends with.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>The search pattern that matches the temp files of <paramref name="fileName"/> (a name without folder).</summary>
    public static string TempPattern(string fileName) => $".{fileName}.*{TempExtension}";

    /// <summary>A fresh temp path for <paramref name="path"/>: <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c> in the target's folder.</summary>
    public static string TempPath(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TempExtension}");
    }

    /// <summary>Creates the target's folder, calls <paramref name="write"/> with the temp file's stream, flushes it and renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string tmp = Prepare(path);
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                FlushToDisk(stream);
            }

            File.Move(tmp, Path.GetFullPath(path), overwrite: true);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));

    /// <summary>
    /// The asynchronous <see cref="Write"/>; with <paramref name="overwrite"/> false an existing
    /// target is left alone and the rename fails with an <see cref="IOException"/>.
    /// </summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        string tmp = Prepare(path);
        try
        {
            await using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
                FlushToDisk(stream);
            }

            File.Move(tmp, Path.GetFullPath(path), overwrite);
        }
        finally
        {
            TryDelete(tmp);
        }
    }

    /// <summary>Deletes the temp files of <paramref name="path"/> that nothing has written to for <paramref name="age"/> (left by killed processes).</summary>
    public static void RemoveStale(string path, TimeSpan age)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var tmp in Directory.EnumerateFiles(dir, TempPattern(Path.GetFileName(full))))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(tmp) > age)
            {
                TryDelete(tmp);
            }
        }
    }

    private static string Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return TempPath(path);
    }

    // A writer that disposes the stream it was given (Parquet.Net may) has already flushed it.
    private static void FlushToDisk(FileStream stream)
    {
        if (stream.CanWrite)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the name is hidden and unique, never read as data, and removed by RemoveStale later.
        }
    }
}
