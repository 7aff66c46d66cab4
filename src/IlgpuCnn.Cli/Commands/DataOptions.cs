using System.CommandLine;
using IlgpuCnn.Data;

namespace IlgpuCnn.Cli.Commands;

/// <summary>The <c>--data</c> option and finding (or downloading) the files it points at, shared by commands that read CIFAR-10.</summary>
internal static class DataOptions
{
    public static Option<string?> CreateDataOption() => new("--data")
    {
        Description = $"Folder with the two CIFAR-10 Parquet files (default: ${DataLocator.EnvironmentVariable}, else the user cache, downloading there when missing).",
    };

    /// <summary>Resolves the data folder and downloads missing files into the cache, with a progress line on stderr.</summary>
    public static DataLocation Locate(string? dataOption)
    {
        var location = DataLocator.Resolve(dataOption);
        var downloaded = Ensure(location);
        if (downloaded.Count > 0)
        {
            Console.Error.WriteLine($"downloaded {string.Join(" and ", downloaded)} into {location.Directory}");
        }

        return location;
    }

    /// <summary>
    /// <see cref="CifarFiles.Ensure"/> with a progress line on stderr; a signal (Ctrl+C, SIGTERM,
    /// SIGHUP) during a download stops it, removes its partial file and ends the command with 128 + signal.
    /// </summary>
    public static IReadOnlyList<string> Ensure(DataLocation location)
    {
        using var signals = new SignalHandling(() => "stopping the download and removing its partial file");
        try
        {
            return CifarFiles.Ensure(location, DownloadProgress.Report, cancel: signals.Token);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            throw new CommandInterruptedException("Stopped during the download; its partial file was removed, nothing else was written.", signals.ExitCode);
        }
    }
}
