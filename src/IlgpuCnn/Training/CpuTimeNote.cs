using System.Globalization;
using IlgpuCnn.Device;

namespace IlgpuCnn.Training;

/// <summary>
/// The line a CPU-only machine shows before a long run (the full recipe takes hours per epoch on
/// ILGPU's CPU accelerator): the estimated time per epoch and the README's quick command. The
/// estimate scales a measured rate (benchmarks/RESULTS.md: 67 training images/s at --width 0.25 on
/// a 2-core machine) by the square of the width; validation images cost about a third of that.
/// </summary>
public static class CpuTimeNote
{
    /// <summary>Training images per second on the CPU accelerator at --width 0.25 (measured).</summary>
    public const double ImagesPerSecondAtQuarterWidth = 67;

    /// <summary>Runs estimated below this per epoch get no note.</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMinutes(10);

    public const string QuickCommand = "ilgpucnn train --device cpu --width 0.25 --train-limit 2500 --test-limit 1000 --epochs 3";

    /// <summary>Estimated wall time of one epoch on the CPU accelerator.</summary>
    public static TimeSpan EpochTime(double width, int trainRows, int validationRows)
    {
        double rate = ImagesPerSecondAtQuarterWidth * Math.Pow(0.25 / width, 2);
        return TimeSpan.FromSeconds((trainRows + validationRows / 3.0) / rate);
    }

    /// <summary>The note, or null off the CPU accelerator (CUDA, OpenCL) or when an epoch is estimated under <see cref="Threshold"/>.</summary>
    public static string? For(ComputeDevice device, double width, int trainRows, int validationRows) =>
        device.IsSimulator ? For(width, trainRows, validationRows) : null;

    /// <summary>The note for the CPU accelerator, or null when an epoch is estimated under <see cref="Threshold"/>.</summary>
    public static string? For(double width, int trainRows, int validationRows)
    {
        var epoch = EpochTime(width, trainRows, validationRows);
        if (epoch < Threshold)
        {
            return null;
        }

        string time = epoch.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{epoch.TotalHours:F1} hours")
            : string.Create(CultureInfo.InvariantCulture, $"{epoch.TotalMinutes:F0} minutes");
        return $"Note: there is no CUDA GPU, so this runs on ILGPU's CPU accelerator at an estimated {time} per epoch; for a quick run try: {QuickCommand}";
    }
}
