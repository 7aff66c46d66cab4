namespace IlgpuCnn;

/// <summary>
/// The one way this program writes a file: into a unique hidden temp file beside the target,
/// named <c>.&lt;name&gt;.&lt;8 hex digits&gt;.tmp</c> (the name shortened so that the temp name fits
/// wherever the target's does; <c>*.tmp</c> finds every leftover), flushed to disk, then renamed over
/// the target; if anything fails the temp file is deleted and the target keeps its old content (or
/// stays absent). Readers never see a half-written file. Only regular files are replaced
/// (<see cref="OutputPath"/>), and a failure to write is one sentence naming the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>The extension every temp file ends with.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>The longest file name (in UTF-8 bytes) Linux, macOS and Windows file systems accept.</summary>
    public const int MaxNameBytes = 255;

    // "." + name + "." + 8 hex digits + ".tmp"
    private const int TempNameExtra = 1 + 1 + 8 + 4;

    /// <summary>The search pattern that matches the temp files of <paramref name="fileName"/> (a name without folder).</summary>
    public static string TempPattern(string fileName) => $".{TempStem(fileName)}.*{TempExtension}";

    /// <summary>A fresh temp path for <paramref name="path"/>: <c>.&lt;name&gt;.&lt;8 hex&gt;.tmp</c> in the target's folder.</summary>
    public static string TempPath(string path)
    {
        var full = Path.GetFullPath(path);
        string random = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        return Path.Combine(Path.GetDirectoryName(full)!, $".{TempStem(Path.GetFileName(full))}.{random}{TempExtension}");
    }

    /// <summary>Deletes every temp file in <paramref name="directory"/> (call only while nothing else writes there, e.g. under a run-folder lock).</summary>
    public static void RemoveAllStale(string directory)
    {
        foreach (var tmp in Directory.EnumerateFiles(directory, $".*{TempExtension}"))
        {
            TryDelete(tmp);
        }
    }

    /// <summary>The part of the target's name a temp name keeps: all of it when it fits, else its first characters.</summary>
    private static string TempStem(string fileName)
    {
        var utf8 = System.Text.Encoding.UTF8;
        int budget = MaxNameBytes - TempNameExtra;
        int chars = fileName.Length;
        while (chars > 0 && utf8.GetByteCount(fileName.AsSpan(0, chars)) > budget)
        {
            chars--;
        }

        if (chars > 0 && char.IsHighSurrogate(fileName[chars - 1]))
        {
            chars--;
        }

        return fileName[..chars];
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CouldNotWrite(path, e);
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
            var stream = Create(path, tmp);
            try
            {
                await write(stream).ConfigureAwait(false);
                Flush(path, stream); // after this, disposing the stream has nothing left to write
            }
            catch
            {
                CloseQuietly(stream); // its buffer may not fit either: the first failure is the one to report
                throw;
            }

            await stream.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>The one sentence for a write that failed: the target (never the temp name), the reason, and what to do.</summary>
    public static UserError CouldNotWrite(string path, Exception e)
    {
        string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.Split(" : ")[0].Split(" '")[0].TrimEnd('.', ' ');
        string advice = e is UnauthorizedAccessException || reason.Contains("ead-only", StringComparison.Ordinal)
            ? "its folder is not writable; pass a path in a folder you can write to"
            : reason.Contains("space", StringComparison.OrdinalIgnoreCase) || reason.Contains("quota", StringComparison.OrdinalIgnoreCase)
                ? "free disk space or pass a path on another disk"
                : "check the path and its folder, or pass another path";
        return new UserError($"Could not write '{path}' ({reason}); {advice}.", e);
    }

    /// <summary>Checks the target (only a regular file is replaced), creates its folder, and returns a fresh temp path.</summary>
    private static string Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OutputPath.RequireWritable(path); // also: its folder is a folder, or can be made, and writable
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CouldNotWrite(path, e);
        }

        return TempPath(path);
    }

    private static FileStream Create(string path, string tmp)
    {
        try
        {
            return new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CouldNotWrite(path, e);
        }
    }

    // A writer that disposes the stream it was given (Parquet.Net may) has already flushed it.
    private static void FlushToDisk(FileStream stream)
    {
        if (stream.CanWrite)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    private static void Flush(string path, FileStream stream)
    {
        try
        {
            FlushToDisk(stream);
        }
        catch (IOException e)
        {
            throw CouldNotWrite(path, e);
        }
    }

    private static void CloseQuietly(FileStream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // The handle is closed even when the last flush fails; the caller reports the write's own failure.
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
