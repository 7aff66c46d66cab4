using System.Diagnostics;
using IlgpuCnn.Benchmarks.Lab;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Models;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// <c>static [--out FILE] [--record-before] [--dump DIR]</c>: the static profile of the training
/// step, printed and written to <c>benchmarks/STATIC.md</c> (<see cref="StaticReport"/>). Per
/// kernel: ptxas resources, sm_90 occupancy, the SASS instruction mix of its hottest loop, its
/// lone-warp cycles from the control bits and its loads' distance to their use; per layer of the
/// VGG model at batch 64, width 1: each launch's grid vs 132 SMs, warps per scheduler, FLOPs,
/// bytes and its operands' cache lines per warp load; a low/central/high estimate of a step and an
/// epoch for an H100 SXM and an H200. The launch count comes from a real step on the CPU
/// accelerator. <c>--record-before</c> records this run as the "before" of issue 17's kernel work;
/// <c>--dump DIR</c> keeps (and reuses) the PTX, cubins and SASS.
/// </summary>
internal static class StaticCommand
{
    public const int Batch = 64;
    public const double Width = 1.0;

    public static int Run(string[] args)
    {
        if (!TryParse(args, out var options))
        {
            return 2;
        }

        if (CudaTools.Find("ptxas") is null || CudaTools.Find("cuobjdump") is null)
        {
            Console.Error.WriteLine(CudaTools.MissingMessage("ptxas/cuobjdump"));
            return 1;
        }

        string outFile = options.OutFile ?? Path.Combine(RepoRoot(), "benchmarks", "STATIC.md");
        string work = options.Dump ?? Path.Combine(Path.GetTempPath(), "ilgpucnn-static-" + Guid.NewGuid().ToString("N"));
        try
        {
            string text = Build(work, outFile, options.RecordBefore);
            Console.WriteLine(text);
            string tmp = outFile + ".tmp";
            File.WriteAllText(tmp, text);
            File.Move(tmp, outFile, overwrite: true);
            Console.Error.WriteLine($"static: wrote {outFile}");
            return 0;
        }
        finally
        {
            if (options.Dump is null && Directory.Exists(work))
            {
                Directory.Delete(work, true);
            }
        }
    }

    private sealed record Options(string? OutFile, string? Dump, bool RecordBefore);

    private static bool TryParse(string[] args, out Options options)
    {
        options = new Options(null, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length:
                    options = options with { OutFile = args[++i] };
                    break;
                case "--dump" when i + 1 < args.Length:
                    options = options with { Dump = args[++i] };
                    break;
                case "--record-before":
                    options = options with { RecordBefore = true };
                    break;
                default:
                    Console.Error.WriteLine($"static: unknown argument '{args[i]}'; use [--out FILE] [--record-before] [--dump DIR].");
                    return false;
            }
        }

        return true;
    }

    private static string Build(string work, string outFile, bool recordBefore)
    {
        var clock = Stopwatch.StartNew();
        var profiles = Profiles(work);
        KernelProfile Kernel(string name) => profiles.TryGetValue(name, out var p) ? p : throw new InvalidOperationException($"the step model names kernel {name}, which the catalog does not have");

        Console.Error.WriteLine($"static: {profiles.Count} kernels assembled and disassembled ({clock.Elapsed.TotalSeconds:F0} s); counting a real step on the CPU accelerator...");
        var counted = StepCounter.Count();
        Console.Error.WriteLine($"static: step counted ({clock.Elapsed.TotalSeconds:F0} s)");
        using var device = ComputeDevice.Create(DeviceKind.Cpu);
        using var model = VggModel.Create(device, Width, 0);
        var step = StepModel.TrainingStep(model, Batch, Kernel, device);
        var val = StepModel.ValidationBatch(model, Batch, Kernel, device);
        var existing = File.Exists(outFile) ? File.ReadAllText(outFile) : string.Empty;
        var r = new StaticReport(Commit(), profiles, counted, step, val, clock.Elapsed.TotalSeconds);
        return r.Text(existing, recordBefore);
    }

    /// <summary>Every catalogued kernel assembled, disassembled and profiled, by short name.</summary>
    private static Dictionary<string, KernelProfile> Profiles(string work)
    {
        var profiles = new Dictionary<string, KernelProfile>();
        foreach (var m in KernelCatalog.Kernels().OrderBy(KernelCatalog.ShortName, StringComparer.Ordinal))
        {
            var (ffma, sts) = GemmDesign(KernelCatalog.ShortName(m));
            var p = KernelProfile.Build(m, work, ffma, sts);
            profiles[p.Name] = p;
        }

        return profiles;
    }

    private static (int Ffma, int Sts) GemmDesign(string kernel) => kernel.EndsWith("DirectKernel", StringComparison.Ordinal)
        ? (DirectConv.FfmaPerK, 0)
        : kernel.EndsWith("SmallKernel", StringComparison.Ordinal) && kernel.StartsWith("DenseKernels.", StringComparison.Ordinal)
        ? (SmallGemm.TileK * SmallGemm.TileM * SmallGemm.TileN / SmallGemm.GroupSize, ((SmallGemm.TileK * SmallGemm.TileM) + (SmallGemm.TileK * SmallGemm.TileN)) / SmallGemm.GroupSize)
        : kernel.EndsWith("Run32Kernel", StringComparison.Ordinal)
        ? (RunGemm.TileK * RunGemm.TileM * RunGemm.NarrowN / RunGemm.NarrowGroupSize, ((RunGemm.TileK * RunGemm.TileM) + (RunGemm.TileK * RunGemm.NarrowN)) / RunGemm.NarrowGroupSize)
        : kernel.EndsWith("RunShortKernel", StringComparison.Ordinal)
        ? (RunGemm.TileK * RunGemm.ShortM * BlockedGemm.TileN / RunGemm.ShortGroupSize, ((RunGemm.TileK * RunGemm.ShortM) + (RunGemm.TileK * BlockedGemm.TileN)) / RunGemm.ShortGroupSize)
        : kernel.Contains("Cursor", StringComparison.Ordinal) || kernel.EndsWith("Run64Kernel", StringComparison.Ordinal)
        ? (BlockedGemm.TileK * BlockedGemm.TileM * BlockedGemm.TileN / BlockedGemm.GroupSize, BlockedGemm.TileK)
        : (TiledGemm.TileK * TiledGemm.TileM * TiledGemm.TileN / TiledGemm.GroupSize, ((TiledGemm.TileK * TiledGemm.TileM) + (TiledGemm.TileK * TiledGemm.TileN)) / TiledGemm.GroupSize);

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "IlgpuCnn.sln")))
            {
                return d.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The last commit that changed src/ (the kernels the profile reads), or HEAD + "+uncommitted src changes" when src/ differs from HEAD.</summary>
    private static string Commit()
    {
        try
        {
            bool dirty = Git("status --porcelain --untracked-files=no -- src").Length > 0;
            return dirty ? Git("rev-parse --short HEAD") + "+uncommitted src changes" : Git("log -1 --format=%h -- src");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (git not found)";
        }
    }

    private static string Git(string arguments)
    {
        var psi = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, WorkingDirectory = RepoRoot() };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }
}
