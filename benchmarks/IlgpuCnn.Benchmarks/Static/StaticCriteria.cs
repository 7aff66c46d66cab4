using System.Globalization;
using System.Text;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// Issue 17's SASS criteria, one line per conv/dense GEMM launch of the recipe on CUDA and one
/// verdict each: no predicated global load of the K loop within 200 instructions of its use
/// (across the back edge); forward-weight and output-gradient staging at most 4 cache lines per
/// warp load; no emulated division in a GEMM epilogue; at least 2 warps per scheduler in every
/// conv launch; at most 70 stream operations per step.
/// </summary>
internal sealed class StaticCriteria(Dictionary<string, KernelProfile> profiles, List<ModelLaunch> step, StepCount counted)
{
    public const int LoadUseDistance = 200;
    public const double MaxStagingLines = 4;
    public const int MinWarpsPerScheduler = 2;
    public const int MaxStreamOperations = 70;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The launches the criteria judge: every GEMM body (not Simple) of a conv or dense pass.</summary>
    private IEnumerable<ModelLaunch> Gemms => step.Where(l => l.Plan is { Body: not KernelBody.Simple });

    public void Write(StringBuilder sb)
    {
        sb.AppendLine("## Issue 17's SASS criteria, per conv/dense GEMM launch").AppendLine();
        sb.AppendLine($"`pred. < {LoadUseDistance}` = predicated global loads of the K loop closer than {LoadUseDistance} instructions to their first use, counted across the back edge, of all its global loads, and the smallest load-to-use distance (counted); `checked lines` = cache lines per warp load of the staging the criterion names — forward weights (B of a conv forward) and the output gradient (A of a conv backward-weights), mean / max over the sampled warp loads (derived); `epi div` = emulated divisions after the K loop (counted); `w/s` = warps per scheduler on an {GpuEstimate.H100Sxm.Name} (derived).");
        sb.AppendLine();
        sb.AppendLine($"| layer | pass | kernel | pred. < {LoadUseDistance} / loads (min ld→use) | checked lines | epi div | w/s |");
        sb.AppendLine("| --- | --- | --- | --- | --- | ---: | ---: |");
        foreach (var l in Gemms)
        {
            var p = profiles[l.Kernel];
            var checkedLines = Checked(l);
            string lines = checkedLines is null ? "—" : string.Create(Inv, $"{checkedLines.Mean:F1} / {checkedLines.Max}");
            sb.AppendLine(string.Create(Inv, $"| {l.Layer} | {l.Pass} | {l.Kernel} | {CloseLoads(p)} / {p.LoopLoads.Count} ({MinDistance(p)}) | {lines} | {p.EpilogueDivisions} | {WarpsPerScheduler(l)} |"));
        }

        sb.AppendLine();
        foreach (var (text, met) in Verdicts())
        {
            sb.AppendLine($"- **{(met ? "met" : "NOT MET")}**: {text}");
        }

        sb.AppendLine();
    }

    /// <summary>Each criterion in words with the figures that decide it, and whether it holds.</summary>
    public IEnumerable<(string Text, bool Met)> Verdicts()
    {
        var gemms = Gemms.ToList();
        var close = gemms.Where(l => CloseLoads(profiles[l.Kernel]) > 0).ToList();
        yield return ($"no predicated global load of a K loop within {LoadUseDistance} instructions of its use (across the back edge): {close.Count} of {gemms.Count} GEMM launches have such loads{List(close, l => $"{CloseLoads(profiles[l.Kernel])}, min {MinDistance(profiles[l.Kernel])}")} (counted)", close.Count == 0);
        var staged = gemms.Where(l => Checked(l) is not null).ToList();
        var wide = staged.Where(l => Checked(l)!.Mean > MaxStagingLines).ToList();
        yield return ($"forward-weight and output-gradient staging ≤ {MaxStagingLines} cache lines per warp load: {wide.Count} of {staged.Count} launches above{List(wide, l => Checked(l)!.Mean.ToString("F1", Inv))} (derived)", wide.Count == 0 && staged.Count > 0);
        var divided = gemms.Where(l => profiles[l.Kernel].EpilogueDivisions > 0).Select(l => l.Kernel).Distinct().ToList();
        yield return ($"no emulated division in any GEMM epilogue: {(divided.Count == 0 ? "none" : string.Join(", ", divided.Select(k => $"{k} ({profiles[k].EpilogueDivisions})")))} (counted)", divided.Count == 0);
        var convs = gemms.Where(l => l.Kernel.StartsWith("Conv2dKernels.", StringComparison.Ordinal)).ToList();
        var thin = convs.Where(l => WarpsPerScheduler(l) < MinWarpsPerScheduler).ToList();
        yield return ($"≥ {MinWarpsPerScheduler} warps per scheduler in every conv launch: {thin.Count} of {convs.Count} conv launches have fewer{List(thin, l => WarpsPerScheduler(l).ToString(Inv))} (derived)", thin.Count == 0);
        long ops = counted.TrainLaunches + step.Count(l => l.IsMemSet);
        yield return ($"stream operations per step ≤ {MaxStreamOperations}: {ops} (launches counted, memsets derived)", ops <= MaxStreamOperations);
    }

    private static string List(List<ModelLaunch> launches, Func<ModelLaunch, string> figure) =>
        launches.Count == 0 ? string.Empty : " — " + string.Join("; ", launches.Select(l => $"{l.Layer} {l.Pass} {Short(l.Kernel)} {figure(l)}"));

    private static string Short(string kernel) => kernel[(kernel.IndexOf('.', StringComparison.Ordinal) + 1)..];

    private static int CloseLoads(KernelProfile p) => p.LoopLoads.Count(u => u.Predicated && u.Distance < LoadUseDistance);

    private static string MinDistance(KernelProfile p) => p.LoopLoads.Count == 0 ? "—" : p.LoopLoads.Min(u => u.Distance).ToString(Inv);

    private int WarpsPerScheduler(ModelLaunch l) => GpuEstimate.Wave.Of(l, profiles[l.Kernel], GpuEstimate.H100Sxm).PerScheduler;

    /// <summary>The lines of the operand the staging criterion names (null for the others).</summary>
    private static WarpLines? Checked(ModelLaunch l) =>
        !l.Kernel.StartsWith("Conv2dKernels.", StringComparison.Ordinal) ? null
        : l.Plan!.Pass == KernelPass.Forward ? l.Traffic.LinesB
        : l.Plan.Pass == KernelPass.BackwardWeights ? l.Traffic.LinesA
        : null;
}
