using System.CommandLine;
using IlgpuCnn.Data;
using IlgpuCnn.Device;

namespace IlgpuCnn.Cli.Commands;

/// <summary>The options several commands share (<c>--data</c>, <c>--device</c>), defined once, and finding the data they point at.</summary>
internal static class SharedOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = $"Folder with the two CIFAR-10 Parquet files (default: ${DataLocator.EnvironmentVariable}, else the user cache, downloading there when missing).",
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "auto (CUDA when present, else the CPU), cuda, or cpu.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The device kind a <c>--device</c> value names.</summary>
    public static DeviceKind DeviceKindOf(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceKind.Auto,
        "cuda" or "gpu" => DeviceKind.Cuda,
        "cpu" => DeviceKind.Cpu,
        _ => throw new UserError($"Unknown device '{text}'; use auto, cuda or cpu."),
    };

    /// <summary>Resolves the data folder and downloads missing files into the cache, with the progress line on stderr.</summary>
    public static DataLocation Locate(string? dataOption)
    {
        var location = DataLocator.Resolve(dataOption);
        var downloaded = CifarFiles.Ensure(location, DownloadProgress.Report);
        if (downloaded.Count > 0)
        {
            Console.Error.WriteLine($"downloaded {string.Join(" and ", downloaded)} into {location.Directory}");
        }

        return location;
    }
}
