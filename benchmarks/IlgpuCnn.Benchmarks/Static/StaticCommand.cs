using System.Diagnostics;
using System.Globalization;
using System.Text;
using IlgpuCnn.Benchmarks.Lab;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Models;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// <c>static [--out FILE] [--record-before] [--dump DIR]</c>: the static profile of the training
/// step, printed and written to <c>benchmarks/STATIC.md</c>. Per kernel: ptxas resources, sm_90
/// occupancy and the SASS instruction mix of its hottest loop; per layer of the VGG model at batch
/// 64, width 1: each launch's grid vs 132 SMs, FLOPs and bytes; a per-step and per-epoch estimate
/// for an H100 SXM and an H200. The launch count comes from a real step on the CPU accelerator.
/// </summary>
internal static class StaticCommand
{
    private const int Batch = 64;
    private const double Width = 1.0;
    private const int TrainSteps = 625;
    private const int ValidationBatches = 157;
    private const string BeforeStart = "<!-- before: kept by the static command; --record-before replaces it -->";
    private const string BeforeEnd = "<!-- /before -->";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

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

    /// <summary>Everything one report is made of.</summary>
    private sealed record Report(
        string Commit,
        Dictionary<string, KernelProfile> Profiles,
        StepCount Counted,
        List<ModelLaunch> Step,
        List<ModelLaunch> Val,
        StepTotals H100,
        StepTotals H200,
        double Seconds)
    {
        public KernelProfile Kernel(string name) => Profiles.TryGetValue(name, out var p) ? p : throw new InvalidOperationException($"the step model names kernel {name}, which the catalog does not have");

        public long ModelMemSets => Step.Count(l => l.IsMemSet);
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
        var step = StepModel.TrainingStep(model, Batch, Kernel);
        var val = StepModel.ValidationBatch(model, Batch, Kernel);
        var r = new Report(Commit(), profiles, counted, step, val, Totals(step, val, Kernel, GpuEstimate.H100Sxm), Totals(step, val, Kernel, GpuEstimate.H200), clock.Elapsed.TotalSeconds);
        var sb = new StringBuilder();
        Preamble(sb, r);
        string headline = Headline(r);
        sb.AppendLine("## Headline").AppendLine().AppendLine(headline).AppendLine();
        sb.AppendLine("## Before the kernel rewrite").AppendLine();
        string before = recordBefore ? headline : ExistingBefore(outFile) ?? "(not recorded yet: run with `--record-before`)";
        sb.AppendLine(BeforeStart).AppendLine(before).AppendLine(BeforeEnd).AppendLine();
        KernelTable(sb, r);
        CountedSection(sb, r);
        LaunchTable(sb, r);
        TimeShare(sb, r);
        EstimateSection(sb, r);
        return sb.ToString();
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

    private static void Preamble(StringBuilder sb, Report r)
    {
        sb.AppendLine("# Static profile of the training step").AppendLine();
        sb.AppendLine($"Generated by `dotnet run -c Release --project benchmarks/IlgpuCnn.Benchmarks -- static` at commit `{r.Commit}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {r.Seconds:F0} s). " +
          "No GPU was used: kernels are compiled to PTX by ILGPU, assembled by NVIDIA's ptxas 12.4 (`benchmarks/tools/fetch-cuda-tools.sh`) and disassembled by cuobjdump.");
        sb.AppendLine();
        sb.AppendLine("Every figure is marked: **counted** (read from ptxas, the SASS, or a real step on the CPU accelerator), **derived** (computed exactly from counted figures and the code's launch shapes) or **estimated** (a model with the assumptions printed below; nothing here was measured on a GPU).");
        sb.AppendLine();
    }

    private static string Headline(Report r)
    {
        var counted = r.Counted;
        var headline = new StringBuilder();
        headline.AppendLine($"| figure (commit `{r.Commit}`) | value | kind |");
        headline.AppendLine("| --- | --- | --- |");
        headline.AppendLine($"| stream operations per training step (batch {Batch}, width {Width}) | {counted.TrainLaunches + r.ModelMemSets} ({counted.TrainLaunches} kernel launches + {r.ModelMemSets} memsets) | launches counted, memsets derived |");
        headline.AppendLine($"| stream operations per validation batch | {counted.ValidationLaunches + counted.ValidationMemSets} | counted |");
        headline.AppendLine(string.Create(Inv, $"| training step, {GpuEstimate.H100Sxm.Name} | {r.H100.StepUs / 1000:F2} ms | estimated |"));
        headline.AppendLine(string.Create(Inv, $"| recipe epoch ({TrainSteps} steps + {ValidationBatches} validation batches), {GpuEstimate.H100Sxm.Name} | {r.H100.EpochS:F2} s | estimated |"));
        headline.AppendLine(string.Create(Inv, $"| training step, {GpuEstimate.H200.Name} | {r.H200.StepUs / 1000:F2} ms | estimated |"));
        headline.AppendLine(string.Create(Inv, $"| recipe epoch, {GpuEstimate.H200.Name} | {r.H200.EpochS:F2} s | estimated |"));
        foreach (var name in r.Step.Select(s => s.Kernel).Where(k => k != StepModel.MemSet).Distinct().Where(k => r.Profiles[k].KStep is not null).OrderBy(k => k, StringComparer.Ordinal))
        {
            var p = r.Profiles[name];
            var c = p.HotLoop!;
            headline.AppendLine(string.Create(Inv, $"| {name}: FFMA per shared load (compute loop) / emulated divisions per K step / occupancy sm_90 | {Ratio(c.Ffma, c.SharedLoads)} / {p.KStep!.Divisions} / {p.Occupancy:P0} | counted / counted / derived |"));
        }

        return headline.ToString().TrimEnd();
    }

    private static void KernelTable(StringBuilder sb, Report r)
    {
        sb.AppendLine("## Kernels (ptxas 12.4, sm_90; spills also checked for sm_80)").AppendLine();
        sb.AppendLine("Threads per group: the `[Kernel]` attribute's for grouped kernels, CUDA's occupancy choice for auto-grouped ones (derived). Registers, shared memory, spills: counted (ptxas -v). Occupancy: derived (sm_90 limits). Loop columns: counted from the SASS of the hottest loop (the one with the most FFMA, else the innermost loop with global loads with the most instructions); for tiled GEMMs the K-step columns count one whole K step (the K loop with its nested loops repeated by the design's trip counts). `div` = emulated 32-bit integer divisions (I2F.RP); `rt` = exposed global round trips per iteration.");
        sb.AppendLine();
        sb.AppendLine("| kernel | threads | regs | smem B | spill 80/90 | occ. 90 | loop instr | FFMA | LDS 32/64/128 | FFMA/LDS | FFMA % | global ld (32/wide, generic) | div | bar | rt | K step instr | K step FFMA | K step LDS | K step div |");
        sb.AppendLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var p in r.Profiles.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            sb.AppendLine(KernelRow(p));
        }

        sb.AppendLine();
        sb.AppendLine("`*` auto-grouped: the group size is CUDA's occupancy choice. Spills are bytes of spill stores + loads; stack frames are 0 for every kernel (the assembler tests enforce both).");
        sb.AppendLine();
    }

    private static string KernelRow(KernelProfile p)
    {
        var h = p.HotLoop;
        var k = p.KStep;
        string loop = h is null
            ? "| — | — | — | — | — | — | — | — | " + p.RoundTrips.ToString(Inv)
            : string.Create(Inv, $"| {h.Instructions} | {h.Ffma} | {h.SharedLoads32}/{h.SharedLoads64}/{h.SharedLoads128} | {Ratio(h.Ffma, h.SharedLoads)} | {(h.Instructions > 0 ? 100.0 * h.Ffma / h.Instructions : 0):F0} | {h.GlobalLoads32}/{h.GlobalLoadsWide}, {h.GlobalLoadsGeneric} | {h.Divisions} | {h.Barriers} | {p.RoundTrips}");
        string kcols = k is null ? "| — | — | — | — |" : string.Create(Inv, $"| {k.Instructions} | {k.Ffma} | {k.SharedLoads} | {k.Divisions} |");
        return string.Create(Inv, $"| {p.Name} | {p.GroupSize}{(p.AutoGrouped ? "*" : string.Empty)} | {p.Sm90.Registers} | {p.Sm90.SharedBytes} | {p.Sm80.SpillStores + p.Sm80.SpillLoads}/{p.Sm90.SpillStores + p.Sm90.SpillLoads} | {p.Occupancy:P0} {loop} {kcols}");
    }

    private static void CountedSection(StringBuilder sb, Report r)
    {
        var (counted, step, val) = (r.Counted, r.Step, r.Val);
        long modelLaunches = step.Count(l => !l.IsMemSet);
        bool launchesMatch = modelLaunches == counted.TrainLaunches && val.Count(l => !l.IsMemSet) == counted.ValidationLaunches;
        sb.AppendLine($"## Stream operations per step (counted)").AppendLine();
        sb.AppendLine($"{counted.Setup}: **{counted.TrainLaunches} kernel launches + {counted.TrainMemSets} memsets = {counted.TrainLaunches + counted.TrainMemSets}** per training step; a validation batch is {counted.ValidationLaunches} launches + {counted.ValidationMemSets} memsets. The per-op split below adds up to the trainer's step. The number of launches does not depend on batch or width; memsets can (split-K zeroes its output first only where a grid is split). The launch model used for the estimate (batch {Batch}, width {Width}) has {modelLaunches} launches{(launchesMatch ? " (matches the count)" : " — DOES NOT MATCH the count; the model needs updating")} and {r.ModelMemSets} memsets per step, {val.Count} operations per validation batch.");
        sb.AppendLine();
        sb.AppendLine($"| op | pass | launches | memsets | model launches | model memsets (batch {Batch}) |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var o in counted.PerOp)
        {
            int modelled = step.Count(s => s.Layer == o.Layer && s.Pass == o.Pass && !s.IsMemSet);
            int memsets = step.Count(s => s.Layer == o.Layer && s.Pass == o.Pass && s.IsMemSet);
            sb.AppendLine($"| {o.Layer} | {o.Pass} | {o.Launches} | {o.MemSets} | {modelled}{(modelled == o.Launches ? string.Empty : " ≠")} | {memsets} |");
        }

        sb.AppendLine();
    }

    private static void LaunchTable(StringBuilder sb, Report r)
    {
        var gpu = GpuEstimate.H100Sxm;
        sb.AppendLine($"## Launches of one training step: VGG, batch {Batch}, width {Width} ({gpu.Name} estimate)").AppendLine();
        sb.AppendLine($"Blocks, threads, FLOPs (GEMMs: 2·M·N·K) and bytes (compulsory) are derived from the layer shapes with the kernels' own launch helpers; `waves` = blocks / ({gpu.Sms} SMs × resident groups per SM); times are estimated.");
        sb.AppendLine();
        sb.AppendLine("| layer | pass | kernel | blocks | threads | waves | GFLOP | MB | issue us | smem us | latency us | DRAM us | total us | bound |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var l in r.Step)
        {
            var p = l.IsMemSet ? null : r.Kernel(l.Kernel);
            var t = GpuEstimate.Time(l, p, gpu);
            double waves = p is null ? 0 : l.Blocks / (double)(gpu.Sms * Math.Max(1, p.BlocksPerSm));
            sb.AppendLine(string.Create(Inv, $"| {l.Layer} | {l.Pass} | {l.Kernel} | {l.Blocks} | {l.Threads} | {waves:F2} | {l.Flops / 1e9:F3} | {l.Bytes / 1e6:F2} | {t.Issue:F1} | {t.Shared:F1} | {t.Latency:F1} | {t.Dram:F1} | {t.Total:F1} | {t.Bound} |"));
        }

        sb.AppendLine();
        double flops = r.Step.Sum(s => s.Flops);
        sb.AppendLine(string.Create(Inv, $"Step total: {flops / 1e9:F2} GFLOP, {r.Step.Sum(s => s.Bytes) / 1e6:F0} MB compulsory traffic, {r.Step.Count} stream operations."));
        sb.AppendLine();
    }

    private static void TimeShare(StringBuilder sb, Report r)
    {
        sb.AppendLine("## Where the estimated time goes (H100 SXM, per training step)").AppendLine();
        sb.AppendLine("| kernel | launches | total us | share |");
        sb.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var g in r.Step.GroupBy(s => s.Kernel).Select(g => (g.Key, Count: g.Count(), Us: g.Sum(s => GpuEstimate.Time(s, s.IsMemSet ? null : r.Kernel(s.Kernel), GpuEstimate.H100Sxm).Total))).OrderByDescending(g => g.Us))
        {
            sb.AppendLine(string.Create(Inv, $"| {g.Key} | {g.Count} | {g.Us:F1} | {g.Us / r.H100.StepUs:P1} |"));
        }

        sb.AppendLine();
    }

    private static void EstimateSection(StringBuilder sb, Report r)
    {
        sb.AppendLine("## Estimate").AppendLine();
        sb.AppendLine("| | training step | validation batch | recipe epoch | kind |");
        sb.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var (gpu, t) in new[] { (GpuEstimate.H100Sxm, r.H100), (GpuEstimate.H200, r.H200) })
        {
            sb.AppendLine(string.Create(Inv, $"| {gpu.Name} | {t.StepUs / 1000:F3} ms | {t.ValUs / 1000:F3} ms | {t.EpochS:F2} s | estimated |"));
        }

        sb.AppendLine();
        sb.AppendLine($"Recipe epoch = {TrainSteps} training steps + {ValidationBatches} validation batches (40,000 / 64 and 10,000 / 64 rounded up), host work between steps not included.");
        sb.AppendLine();
        sb.AppendLine("Assumptions:");
        sb.AppendLine();
        foreach (var a in GpuEstimate.Assumptions(GpuEstimate.H100Sxm, GpuEstimate.H200))
        {
            sb.AppendLine("- " + a);
        }
    }

    /// <summary>Design trip counts of a GEMM body's K step (Run32, Cursor/Run64, else the lab's version 1, TiledGemm): FFMA and staged shared stores per thread.</summary>
    private static (int Ffma, int Sts) GemmDesign(string kernel) => kernel.EndsWith("Run32Kernel", StringComparison.Ordinal)
        ? (RunGemm.TileK * RunGemm.TileM * RunGemm.NarrowN / RunGemm.NarrowGroupSize, ((RunGemm.TileK * RunGemm.TileM) + (RunGemm.TileK * RunGemm.NarrowN)) / RunGemm.NarrowGroupSize)
        : kernel.Contains("Cursor", StringComparison.Ordinal) || kernel.EndsWith("Run64Kernel", StringComparison.Ordinal)
        ? (BlockedGemm.TileK * BlockedGemm.TileM * BlockedGemm.TileN / BlockedGemm.GroupSize, BlockedGemm.TileK)
        : (TiledGemm.TileK * TiledGemm.TileM * TiledGemm.TileN / TiledGemm.GroupSize, ((TiledGemm.TileK * TiledGemm.TileM) + (TiledGemm.TileK * TiledGemm.TileN)) / TiledGemm.GroupSize);

    private sealed record StepTotals(double StepUs, double ValUs, double EpochS);

    private static StepTotals Totals(List<ModelLaunch> step, List<ModelLaunch> val, Func<string, KernelProfile> kernel, GpuSpec gpu)
    {
        double Sum(List<ModelLaunch> ls) => ls.Sum(l => GpuEstimate.Time(l, l.IsMemSet ? null : kernel(l.Kernel), gpu).Total);
        double s = Sum(step), v = Sum(val);
        return new StepTotals(s, v, ((TrainSteps * s) + (ValidationBatches * v)) / 1e6);
    }

    private static string Ratio(int a, int b) => b == 0 ? "—" : (a / (double)b).ToString("F1", Inv);

    private static string? ExistingBefore(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        string text = File.ReadAllText(file);
        int a = text.IndexOf(BeforeStart, StringComparison.Ordinal);
        int b = text.IndexOf(BeforeEnd, StringComparison.Ordinal);
        return a >= 0 && b > a ? text[(a + BeforeStart.Length)..b].Trim() : null;
    }

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

    private static string Commit()
    {
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, WorkingDirectory = RepoRoot() };
            using var p = Process.Start(psi)!;
            string head = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            var st = new ProcessStartInfo("git", "status --porcelain --untracked-files=no -- src") { RedirectStandardOutput = true, WorkingDirectory = RepoRoot() };
            using var q = Process.Start(st)!;
            bool dirty = q.StandardOutput.ReadToEnd().Trim().Length > 0;
            q.WaitForExit();
            return dirty ? head + "+uncommitted src changes" : head;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (git not found)";
        }
    }
}
