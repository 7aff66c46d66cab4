namespace IlgpuCnn.Training;

/// <summary>
/// Checks a run folder before a run writes into it: it must be a folder (not a file), and an earlier
/// run in it is never overwritten by accident (a finished run needs an explicit overwrite; an
/// interrupted one is resumed, or overwritten explicitly).
/// </summary>
public static class RunFolder
{
    /// <summary>Creates <paramref name="directory"/> when missing, or throws a <see cref="UserError"/> saying why it cannot be used.</summary>
    public static void Prepare(string directory, bool resuming, bool overwrite)
    {
        if (File.Exists(directory))
        {
            throw new UserError($"--out {directory} is a file, not a folder; pass a folder for the run's outputs (it is created when missing).");
        }

        if (Directory.Exists(directory) && !resuming && !overwrite)
        {
            if (File.Exists(Path.Combine(directory, RunFiles.Metrics)) || File.Exists(Path.Combine(directory, RunFiles.Model)))
            {
                throw new UserError($"The run folder {directory} already holds a finished run; pass another --out, or --overwrite to replace it.");
            }

            string checkpoint = Path.Combine(directory, RunFiles.Checkpoint);
            if (File.Exists(checkpoint))
            {
                throw new UserError($"The run folder {directory} holds an interrupted run; continue it with --resume {checkpoint}, or pass --overwrite to start again there.");
            }
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Could not create the run folder {directory} ({e.Message.TrimEnd('.')}); pass another --out.", e);
        }
    }
}
