namespace IlgpuCnn.Training;

/// <summary>
/// A run folder belongs to one run (docs/CONTRACT.md, "The run folder"). <see cref="Check"/> refuses,
/// before any work, a folder that is not a folder or holds another run (a finished one, an
/// interrupted one, or — for a resumed run — any run but the checkpoint's own) unless the caller
/// overwrites; <see cref="Open"/> then creates and locks it, checks again under the lock, removes
/// an overwritten run's files before the new run writes anything, and removes temp files of
/// killed runs, so a folder never mixes two runs.
/// </summary>
public static class RunFolder
{
    /// <summary>Files a run writes before its first epoch; a folder holding only these is reused by a new run.</summary>
    private static readonly string[] StartFiles = [RunFiles.Config, RunFiles.Augmentation];

    /// <summary>Throws a <see cref="UserError"/> saying why <paramref name="directory"/> cannot take this run.</summary>
    public static void Check(string directory, string? resume, bool overwrite) => Judge(directory, resume, overwrite, probeLock: true);

    /// <summary>The checks of <see cref="Check"/>; <paramref name="probeLock"/> false when this process already holds the folder's lock.</summary>
    private static void Judge(string directory, string? resume, bool overwrite, bool probeLock)
    {
        RequireUsable(directory);
        var held = HeldFiles(directory);
        if (held.Count > 0 && probeLock)
        {
            using var live = RunFolderLock.Acquire(directory); // a running run's folder is "in use", never "interrupted"
        }

        if (overwrite || held.Count == 0 || IsOwnFolder(directory, resume))
        {
            return;
        }

        if (resume is not null)
        {
            throw new UserError($"The run folder {directory} holds another run than the checkpoint {resume} (its {string.Join(", ", held)}); pass another --out for the resumed run, or --overwrite to replace that run.");
        }

        if (held.Contains(RunFiles.Metrics) || held.Contains(RunFiles.Model))
        {
            throw new UserError($"The run folder {directory} already holds a finished run; pass another --out, or --overwrite to replace it.");
        }

        if (held.Contains(RunFiles.Checkpoint))
        {
            throw new UserError($"The run folder {directory} holds an interrupted run; continue it with --resume {Path.Combine(directory, RunFiles.Checkpoint)}, or pass --overwrite to start again there.");
        }
    }

    /// <summary>The path itself: not blank, a folder or missing, and a place where files can be written (<see cref="OutputPath.RequireFolderFor"/>).</summary>
    private static void RequireUsable(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new UserError("--out is an empty path; pass a folder for the run's outputs, or leave --out out to use runs/<UTC timestamp>.");
        }

        var kind = PathKind.Of(directory);
        if (kind is not (FileKind.Missing or FileKind.Directory))
        {
            throw new UserError($"--out {directory} is {PathKind.Describe(kind)}, not a folder; pass a folder for the run's outputs (it is created when missing).");
        }

        OutputPath.RequireFolderFor(directory, $"--out {directory}");
    }

    /// <summary>Creates and locks <paramref name="directory"/> for a run (<see cref="Check"/> again, under the lock), clearing what an overwrite replaces.</summary>
    public static RunFolderLock Open(string directory, string? resume, bool overwrite)
    {
        Check(directory, resume, overwrite);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Could not create the run folder {directory} ({e.Message.Split(" : ")[0].TrimEnd('.')}); pass another --out.", e);
        }

        var folderLock = RunFolderLock.Acquire(directory);
        try
        {
            Judge(directory, resume, overwrite, probeLock: false);
            AtomicFile.RemoveAllStale(directory);
            if (overwrite && !IsOwnFolder(directory, resume))
            {
                RemoveRun(directory);
            }

            return folderLock;
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="resume"/> is a checkpoint inside <paramref name="directory"/> (resuming a run in its own folder).</summary>
    private static bool IsOwnFolder(string directory, string? resume) =>
        resume is not null && OutputPath.SameFile(Path.GetDirectoryName(Path.GetFullPath(resume))!, directory);

    /// <summary>The run files in <paramref name="directory"/> beyond those a run writes before its first epoch.</summary>
    private static List<string> HeldFiles(string directory) =>
        Directory.Exists(directory) ? RunFiles.All.Where(f => !StartFiles.Contains(f) && File.Exists(Path.Combine(directory, f))).ToList() : [];

    private static void RemoveRun(string directory)
    {
        foreach (var name in RunFiles.All)
        {
            string path = Path.Combine(directory, name);
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserError($"Could not remove {path} of the run that --overwrite replaces ({e.Message.Split(" : ")[0].TrimEnd('.')}); remove it yourself or pass another --out.", e);
            }
        }
    }
}
