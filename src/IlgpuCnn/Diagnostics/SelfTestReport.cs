namespace IlgpuCnn.Diagnostics;

/// <summary>What a self-test found: one row per compared output, in the order run.</summary>
public sealed record SelfTestReport(string Device, string Reference, IReadOnlyList<SelfTestRow> Rows, TimeSpan Elapsed)
{
    /// <summary>The first output that disagreed, or null when every one agreed.</summary>
    public SelfTestRow? FirstFailure => Rows.FirstOrDefault(r => !r.Passed);

    public bool Passed => FirstFailure is null;

    /// <summary>One sentence naming the first kernel that disagrees (null when all agree).</summary>
    public string? FailureSentence => FirstFailure is { } f
        ? $"The self-test found that {f.Kernel} ({f.Body}) on {Device} disagrees with the {Reference}: max relative error {f.MaxError:E2} > {f.Tolerance:E0} (seed {f.WorstSeed})"
        : null;

    /// <summary>The table: kernel, plan body, max error, tolerance, time, result.</summary>
    public IEnumerable<string> Table()
    {
        int width = Math.Max(40, Rows.Count == 0 ? 0 : Rows.Max(r => r.Kernel.Length));
        yield return $"{"kernel".PadRight(width)}  {"body",-7}  {"max error",9}  {"tolerance",9}  {"time ms",8}  result";
        foreach (var r in Rows)
        {
            string error = double.IsFinite(r.MaxError) ? r.MaxError.ToString("E2", System.Globalization.CultureInfo.InvariantCulture) : "NaN/inf";
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{r.Kernel.PadRight(width)}  {r.Body,-7}  {error,9}  {r.Tolerance,9:E0}  {r.Time.TotalMilliseconds,8:F1}  {(r.Passed ? "ok" : "DIFFERS")}");
        }
    }
}
