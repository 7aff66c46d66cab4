namespace IlgpuCnn.Tests;

/// <summary>
/// Random test inputs from a fresh seed each run (printed on failure via <see cref="Seed"/>),
/// never all zeros.
/// </summary>
public sealed class TestRandom
{
    private readonly Random _random;

    public TestRandom(int? seed = null)
    {
        Seed = seed ?? Random.Shared.Next();
        _random = new Random(Seed);
    }

    public int Seed { get; }

    /// <summary>Uniform in [lo, hi).</summary>
    public float[] Floats(long count, float lo = -1f, float hi = 1f)
    {
        var a = new float[count];
        for (long i = 0; i < count; i++)
        {
            a[i] = lo + (float)_random.NextDouble() * (hi - lo);
        }

        return a;
    }

    public int[] Ints(int count, int maxExclusive)
    {
        var a = new int[count];
        for (int i = 0; i < count; i++)
        {
            a[i] = _random.Next(maxExclusive);
        }

        return a;
    }

    public int Next(int lo, int hiExclusive) => _random.Next(lo, hiExclusive);

    public double NextDouble() => _random.NextDouble();
}
