using IlgpuCnn.Device;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli;

/// <summary>
/// The command line that resumes an interrupted run: --resume and the same --out, plus --data and
/// --device when they were given (the checkpoint holds every other option).
/// </summary>
public static class ResumeCommand
{
    public static string Format(RunOptions run, string outDir, string checkpoint)
    {
        var parts = new List<string> { "ilgpucnn", "train", "--resume", Quote(checkpoint), "--out", Quote(outDir) };
        if (run.Data.Directory is { } data)
        {
            parts.AddRange(["--data", Quote(data)]);
        }

        if (run.Device != DeviceKind.Auto)
        {
            parts.AddRange(["--device", run.Device.ToString().ToLowerInvariant()]);
        }

        return string.Join(' ', parts);
    }

    private static string Quote(string path) => path.Length > 0 && path.All(c => char.IsLetterOrDigit(c) || "/._-+:=@,".Contains(c)) ? path : $"'{path.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
