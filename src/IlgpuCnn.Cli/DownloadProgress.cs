namespace IlgpuCnn.Cli;

/// <summary>A one-line download progress bar on stderr.</summary>
public static class DownloadProgress
{
    private static DateTime _last = DateTime.MinValue;
    private static bool _open;

    /// <summary>Ends a progress line left open (a download that failed midway), so that the next message starts on its own line.</summary>
    public static void EndLine()
    {
        if (_open)
        {
            Console.Error.WriteLine();
            _open = false;
        }
    }

    public static void Report(string file, long done, long? total)
    {
        bool finished = total is { } t && done >= t;
        if (!finished && (DateTime.UtcNow - _last).TotalMilliseconds < 200)
        {
            return;
        }

        _last = DateTime.UtcNow;
        string name = Path.GetFileName(file);
        string text = total is { } all && all > 0
            ? $"\rDownloading {name}: {done / 1048576.0:F1}/{all / 1048576.0:F1} MiB ({100.0 * done / all:F0}%)"
            : $"\rDownloading {name}: {done / 1048576.0:F1} MiB";
        Console.Error.Write(text);
        _open = !finished;
        if (finished)
        {
            Console.Error.WriteLine();
        }
    }
}
