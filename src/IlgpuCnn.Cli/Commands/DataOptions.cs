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
        var last = DateTime.MinValue;
        var downloaded = CifarFiles.Ensure(location, (name, done, total) =>
        {
            if ((DateTime.UtcNow - last).TotalMilliseconds < 250 && done != total)
            {
                return;
            }

            last = DateTime.UtcNow;
            var of = total is long t ? $" / {t / 1e6:F1} MB ({100.0 * done / t:F0}%)" : " MB";
            Console.Error.Write($"\rdownloading {name}: {done / 1e6:F1}{of}   ");
        });
        if (downloaded.Count > 0)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine($"downloaded {string.Join(" and ", downloaded)} into {location.Directory}");
        }

        return location;
    }
}
