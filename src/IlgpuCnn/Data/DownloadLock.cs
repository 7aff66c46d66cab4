namespace IlgpuCnn.Data;

/// <summary>
/// One download per data folder at a time: an OS lock on <c>.download.lock</c> in the folder (released
/// with the process if it is killed), the file removed again on <see cref="Dispose"/>. While it is
/// held no other download writes there, so every temp file found is a killed download's.
/// </summary>
public sealed class DownloadLock : IDisposable
{
    /// <summary>The lock file's name.</summary>
    public const string FileName = ".download.lock";

    private readonly FileStream _stream;

    private DownloadLock(FileStream stream) => _stream = stream;

    /// <summary>Locks <paramref name="directory"/> (which must exist) or throws a <see cref="UserError"/> when another download holds it.</summary>
    public static DownloadLock Acquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            return new DownloadLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new UserError($"Another ilgpucnn is downloading CIFAR-10 into {directory}; wait for it to finish, then run the command again.", e);
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_stream.Name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: an empty lock file left behind is harmless.
        }

        _stream.Dispose();
    }
}
