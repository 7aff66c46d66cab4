using System.Diagnostics;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>
/// NVIDIA's assembler and disassemblers of CUDA 12.4 (ptxas, cuobjdump, nvdisasm), fetched by
/// <c>benchmarks/tools/fetch-cuda-tools.sh</c> into <c>$ILGPUCNN_CUDA_TOOLS</c> or
/// <c>~/.cache/ilgpucnn/cuda-12.4</c>. They run without a GPU. (This file is also compiled into
/// the test project, for the assembler tests.)
/// </summary>
public static class CudaTools
{
    public const string FetchScript = "benchmarks/tools/fetch-cuda-tools.sh";

    /// <summary>The folder the fetch script fills (its <c>bin</c> holds the tools).</summary>
    public static string Home
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("ILGPUCNN_CUDA_TOOLS");
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = !string.IsNullOrEmpty(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".cache");
            return Path.Combine(cache, "ilgpucnn", "cuda-12.4");
        }
    }

    /// <summary>Full path of a tool, or null when it is not there.</summary>
    public static string? Find(string tool)
    {
        string path = Path.Combine(Home, "bin", tool);
        return File.Exists(path) ? path : null;
    }

    /// <summary>One sentence saying what is missing and how to get it.</summary>
    public static string MissingMessage(string tool) =>
        $"NVIDIA's {tool} (CUDA 12.4) is not in {Path.Combine(Home, "bin")}; run {FetchScript} (it downloads Debian's nvidia-cuda-toolkit .deb with a private apt state and keeps only ptxas, cuobjdump and nvdisasm; no GPU needed).";

    /// <summary>Runs a tool and returns its standard output and error; throws with both on failure.</summary>
    public static string Run(string tool, IEnumerable<string> args, string workDir)
    {
        string exe = Find(tool) ?? throw new FileNotFoundException(MissingMessage(tool));
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string all = stdout + stderr.Result;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', psi.ArgumentList)} failed with exit code {p.ExitCode}: {all.Trim()}");
        }

        return all;
    }
}
