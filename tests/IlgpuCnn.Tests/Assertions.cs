namespace IlgpuCnn.Tests;

/// <summary>
/// Numeric comparisons with relative error, llm.c style: |a − r| ≤ atol·max(1, maxᵢ|rᵢ|) + rtol·|r|
/// (the absolute part scaled by the largest reference value, so tiny entries of a large tensor pass).
/// </summary>
public static class Assertions
{
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double rtol = 1e-4, double atol = 1e-5, string what = "", int seed = 0)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        for (int i = 0; i < expected.Count; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(actual[i]) || err > atol * Math.Max(1, scale) + rtol * Math.Abs(expected[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (|err| {err:E2}, seed {seed})");
            }
        }
    }

    public static void Close(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double rtol = 1e-4, double atol = 1e-5, string what = "", int seed = 0) =>
        Close(expected.Select(v => (double)v).ToArray(), actual, rtol, atol, what, seed);
}
