namespace IlgpuCnn.Cli;

/// <summary>A one-line download progress bar on stderr.</summary>
public static class DownloadProgress
{
    private static DateTime _last = DateTime.MinValue;

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
        if (finished)
        {
            Console.Error.WriteLine();
        }
    }
}
