namespace IlgpuCnn.Diagnostics;

/// <summary>
/// One line of the self-test table: an output of a check, its largest relative error over the
/// seeds, the tolerance, and the time the device under test spent on the check (all outputs of a
/// check share it).
/// </summary>
public sealed record SelfTestRow(string Kernel, string Body, double MaxError, double Tolerance, TimeSpan Time, int WorstSeed)
{
    public bool Passed => MaxError <= Tolerance;
}
