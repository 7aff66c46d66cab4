using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

public sealed class EpochShufflerTests
{
    [Fact]
    public void EachEpochIsAPermutation()
    {
        var shuffler = new EpochShuffler(0, 40_000);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = shuffler.Permutation(epoch);
            Assert.Equal(Enumerable.Range(0, 40_000), order.Order());
            Assert.NotEqual(Enumerable.Range(0, 40_000), order); // shuffled
        }
    }

    [Fact]
    public void SameSeedAndEpochRepeatOtherwiseDiffer()
    {
        var a = new EpochShuffler(7, 1000);
        var b = new EpochShuffler(7, 1000);
        Assert.Equal(a.Permutation(3), b.Permutation(3));
        Assert.NotEqual(a.Permutation(3), a.Permutation(4));
        Assert.NotEqual(a.Permutation(3), new EpochShuffler(8, 1000).Permutation(3));
    }

    [Fact]
    public void PositionsAreRoughlyUniform()
    {
        // Over 4000 epochs, item 0 should land in each of 10 slots ~400 times.
        var shuffler = new EpochShuffler(1, 10);
        var counts = new int[10];
        Span<int> order = stackalloc int[10];
        for (int epoch = 0; epoch < 4000; epoch++)
        {
            shuffler.Fill(epoch, order);
            counts[order.IndexOf(0)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 320, 480));
    }

    [Fact]
    public void FillChecksTheLength()
    {
        var shuffler = new EpochShuffler(0, 5);
        Assert.Throws<ArgumentException>(() => shuffler.Fill(0, new int[4]));
    }
}
