using IlgpuCnn.Kernels;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// <see cref="Divisor"/> (the host-prepared multiply-and-shift NchwOut splits its first row by)
/// against the integer division it replaces: every divisor up to 5,000 and random ones up to
/// 2³¹ − 1, at the numerators where it could go wrong (multiples of d and their neighbours, the
/// top of the range) and at random ones.
/// </summary>
public sealed class DivisorTests
{
    [Fact]
    public void DividesLikeIntegerDivisionOverTheWholeNumeratorRange()
    {
        var rng = new Random(Environment.TickCount);
        var divisors = Enumerable.Range(1, 5000).Concat(Enumerable.Range(0, 5000).Select(_ => rng.Next(1, int.MaxValue))).Concat([int.MaxValue, 1 << 30, (1 << 30) + 1]);
        foreach (int d in divisors)
        {
            var div = new Divisor(d, Divisor.MagicOf(d));
            int top = int.MaxValue / d * d;
            int[] numerators = [0, 1, d - 1, d, d < int.MaxValue ? d + 1 : 0, int.MaxValue, int.MaxValue - 1, top, top - 1, rng.Next(), rng.Next(0, (int)Math.Min(3L * d, int.MaxValue))];
            foreach (int n in numerators)
            {
                int q = div.Split(n, out int r);
                Assert.True(q == n / d && r == n % d, $"{n} / {d}: got {q} rem {r}, expected {n / d} rem {n % d}");
            }
        }
    }

    [Fact]
    public void RejectsANonPositiveDivisor()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Divisor.MagicOf(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Divisor.MagicOf(-3));
    }
}
