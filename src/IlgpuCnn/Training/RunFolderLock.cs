namespace IlgpuCnn.Training;

/// <summary>
/// One run at a time per run folder: holds an exclusive lock on <c>.lock</c> inside it for the
/// run's lifetime (an OS file lock, so a killed run's lock goes with its process; the empty file
/// it leaves is harmless). A second run into the same folder is refused with one sentence.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _stream;

    private RunFolderLock(FileStream stream) => _stream = stream;

    /// <summary>Locks <paramref name="directory"/> (which must exist) or throws a <see cref="UserError"/> when another run holds it.</summary>
    public static RunFolderLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            return new RunFolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new UserError($"The run folder {directory} is in use by another training run; wait for it to finish or pass another --out.", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
