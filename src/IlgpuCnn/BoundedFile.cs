namespace IlgpuCnn;

/// <summary>
/// Reads a small side file (config.json, metadata) whole, but only a regular file and only up to a
/// size limit, so a symbolic link to /dev/zero, a FIFO or a huge sparse file is refused in one
/// sentence instead of filling the memory.
/// </summary>
public static class BoundedFile
{
    /// <summary>The default limit for JSON side files.</summary>
    public const long SideFileBytes = 16 << 20;

    /// <summary>The UTF-8 text of <paramref name="path"/>; a <see cref="UserError"/> when it is not a regular file or is over <paramref name="maxBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes = SideFileBytes)
    {
        RequireRegular(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > maxBytes)
        {
            throw new UserError($"'{path}' is {stream.Length:N0} bytes, more than the {maxBytes:N0} bytes such a file can have; it is not one this program wrote, remove or replace it.");
        }

        var buffer = new byte[stream.Length];
        stream.ReadExactly(buffer);
        return new System.Text.UTF8Encoding(false).GetString(buffer);
    }

    /// <summary>Throws a <see cref="UserError"/> (ending in <paramref name="advice"/>) unless <paramref name="path"/> is an existing regular file.</summary>
    public static void RequireExisting(string path, string advice)
    {
        var kind = PathKind.Of(path);
        if (kind == FileKind.Missing)
        {
            throw new UserError(string.IsNullOrWhiteSpace(path) ? $"A file path is empty; {advice}." : $"'{path}' does not exist; {advice}.");
        }

        if (kind != FileKind.Regular)
        {
            throw new UserError($"'{path}' is {PathKind.Describe(kind)}, not a file; {advice}.");
        }
    }

    /// <summary>Throws a <see cref="UserError"/> when <paramref name="path"/> exists but is not a regular file (a FIFO would block in open()).</summary>
    public static void RequireRegular(string path)
    {
        var kind = PathKind.Of(path);
        if (kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw new UserError($"'{path}' is {PathKind.Describe(kind)}, not a regular file; pass the path of a regular file.");
        }
    }
}
