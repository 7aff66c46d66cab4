using IlgpuCnn.Kernels;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// One line of the self-test table: an output of a check, its largest relative error over the
/// seeds, the tolerance, and the time the device under test spent on the check (all outputs of a
/// check share it).
/// </summary>
public sealed record SelfTestRow(string Kernel, KernelVariant Variant, double MaxError, double Tolerance, TimeSpan Time, int WorstSeed)
{
    public bool Passed => MaxError <= Tolerance;

    /// <summary>"Tiled", "Simple", or "-" for ops with one implementation.</summary>
    public string VariantText => Variant == KernelVariant.Auto ? "-" : Variant.ToString();
}
