namespace IlgpuCnn;

/// <summary>
/// The rule for every file the program writes (docs/CONTRACT.md, "Errors"): only regular files
/// are replaced (or created); a path that is a folder, FIFO, device or socket is refused in one
/// sentence, and so is an output that is one of the command's own inputs, and a path whose folder
/// cannot hold it (under a file, on the kernel's /proc or /sys, read-only, not writable) — all
/// before any work.
/// </summary>
public static class OutputPath
{
    /// <summary>Throws a <see cref="UserError"/> unless <paramref name="path"/> is missing or a regular file.</summary>
    public static void RequireWritable(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UserError("An output path is empty; pass the path of the file to write.");
        }

        var kind = PathKind.Of(path);
        if (kind is not (FileKind.Missing or FileKind.Regular))
        {
            throw new UserError($"'{path}' is {PathKind.Describe(kind)}, not a regular file; this program writes only regular files, so pass another path for it.");
        }

        RequireFolderFor(Path.GetDirectoryName(Path.GetFullPath(path))!, $"'{path}'");
    }

    /// <summary>
    /// Throws a <see cref="UserError"/> (naming <paramref name="subject"/>, the option or file the
    /// user gave) unless files can be created in <paramref name="folder"/>, creating it if missing:
    /// its nearest existing folder is a folder, not on the kernel's virtual file systems (/proc,
    /// /sys), and writable by this process.
    /// </summary>
    public static void RequireFolderFor(string folder, string subject)
    {
        string existing = Path.GetFullPath(folder);
        var kind = PathKind.Of(existing);
        while (kind == FileKind.Missing && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
            kind = PathKind.Of(existing);
        }

        if (kind is not (FileKind.Directory or FileKind.Missing))
        {
            throw new UserError($"{subject} cannot be written: '{existing}' is {PathKind.Describe(kind)}, not a folder; pass a path under a folder.");
        }

        if (PathKind.VirtualFileSystem(existing) is { } system)
        {
            throw new UserError($"{subject} is on the kernel's {system} file system, which holds only the kernel's own entries; pass a path on a disk.");
        }

        if (PathKind.WhyNotWritable(existing) is { } why)
        {
            string advice = why.Contains("read-only", StringComparison.Ordinal) ? "pass a path on a writable disk" : "pass a path in a folder you can write to";
            throw new UserError($"{subject} cannot be written: '{existing}' is {why}; {advice}.");
        }
    }

    /// <summary>Refuses an output that is the same file as one of the command's <paramref name="inputs"/> (null entries are skipped).</summary>
    public static void RequireNotInput(string path, params string?[] inputs)
    {
        RequireWritable(path);
        foreach (var input in inputs)
        {
            if (input is not null && SameFile(path, input))
            {
                throw new UserError($"The output '{path}' is the input '{input}' of this command; pass another path for the output, so that the input is not overwritten.");
            }
        }
    }

    /// <summary>True when both paths name the same file (after resolving the folder and symbolic links).</summary>
    public static bool SameFile(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);

    /// <summary>The full path with symbolic links resolved (as far as they exist).</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
