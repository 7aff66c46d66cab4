using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>The lab's check before timing (llm.c's dev/cuda manner): a version must give what the Simple body gives on the same inputs.</summary>
public static class LabCheck
{
    /// <summary>Runs <paramref name="reference"/> then <paramref name="version"/> into <paramref name="output"/>; throws naming <paramref name="what"/> when they differ by more than 1e-4 relative to the largest value (or 1).</summary>
    public static void Same(string what, Tensor? output, Action reference, Action version)
    {
        reference();
        var expected = output!.ToHost();
        version();
        var actual = output.ToHost();
        double scale = Math.Max(1, expected.Max(v => Math.Abs((double)v)));
        double worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        if (!(worst <= 1e-4 * scale))
        {
            throw new InvalidOperationException($"{what}: this version differs from the Simple body by {worst:E2} (scale {scale:E2}); fix it before timing it.");
        }
    }
}
