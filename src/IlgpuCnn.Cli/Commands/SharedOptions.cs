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
        Description = "auto (CUDA, else an OpenCL GPU, else an OpenCL CPU device such as PoCL, else the CPU accelerator), cuda, opencl, or cpu.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The device kind a <c>--device</c> value names.</summary>
    public static DeviceKind DeviceKindOf(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceKind.Auto,
        "cuda" or "gpu" => DeviceKind.Cuda,
        "opencl" => DeviceKind.OpenCL,
        "cpu" => DeviceKind.Cpu,
        _ => throw new UserError($"Unknown device '{text}'; use auto, cuda, opencl or cpu."),
    };

    /// <summary>Resolves the data folder and downloads missing files into the cache, with the progress line on stderr.</summary>
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
