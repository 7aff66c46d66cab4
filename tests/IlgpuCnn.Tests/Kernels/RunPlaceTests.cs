using IlgpuCnn.Kernels;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// <see cref="RunPlace"/>: every placement gives every element of its tile (64 × 16; 32 × 16 for the short tile) to exactly one
/// thread's run, an along-k warp load covers 4 rows × 8 consecutive k, and its shared stores (A
/// padded to <see cref="RunGemm.PaddedRow"/>) hit 32 different banks.
/// </summary>
public sealed class RunPlaceTests
{
    public static TheoryData<bool> Placements() => new() { false, true };

    [Theory]
    [MemberData(nameof(Placements))]
    public void EveryTileElementIsStagedOnce(bool alongK)
    {
        var seen = new int[RunGemm.TileM, RunGemm.TileK];
        for (int t = 0; t < BlockedGemm.GroupSize; t++)
        {
            foreach (var (row, k) in Elements(Place(t, alongK)))
            {
                seen[row, k]++;
            }
        }

        Assert.All(seen.Cast<int>(), n => Assert.Equal(1, n));
    }

    [Fact]
    public void AnAlongKWarpLoadIsFourRowsOfEightConsecutiveK()
    {
        for (int w = 0; w < BlockedGemm.GroupSize / 32; w++)
        {
            for (int j = 0; j < RunGemm.RunLength; j++)
            {
                var lanes = Enumerable.Range(w * 32, 32).Select(t => Elements(RunPlace.AlongK(t))[j]).ToList();
                var rows = lanes.GroupBy(e => e.Row).ToList();
                Assert.Equal(4, rows.Count);
                Assert.All(rows, r => Assert.Equal(Enumerable.Range(r.Min(e => e.K), 8), r.Select(e => e.K).Order()));
                Assert.Equal(32, lanes.Select(e => ((e.K * RunGemm.PaddedRow) + e.Row) % 32).Distinct().Count());
            }
        }
    }

    /// <summary><see cref="RunPlace.AlongKShort"/>: the 64 threads of the 32 × 16 tile each stage 8 of its elements, once; a warp load is 4 rows × 8 consecutive k, stored (A padded to <see cref="RunGemm.ShortPaddedRow"/>) to 32 banks.</summary>
    [Fact]
    public void TheShortTilesAlongKRunsCoverItOnceInFourRowsOfEightK()
    {
        var seen = new int[RunGemm.ShortM, RunGemm.TileK];
        for (int t = 0; t < RunGemm.ShortGroupSize; t++)
        {
            foreach (var (row, k) in Elements(RunPlace.AlongKShort(t)))
            {
                seen[row, k]++;
            }
        }

        Assert.All(seen.Cast<int>(), n => Assert.Equal(1, n));
        for (int w = 0; w < RunGemm.ShortGroupSize / 32; w++)
        {
            for (int j = 0; j < RunGemm.RunLength; j++)
            {
                var lanes = Enumerable.Range(w * 32, 32).Select(t => Elements(RunPlace.AlongKShort(t))[j]).ToList();
                var rows = lanes.GroupBy(e => e.Row).ToList();
                Assert.Equal(4, rows.Count);
                Assert.All(rows, r => Assert.Equal(Enumerable.Range(r.Min(e => e.K), 8), r.Select(e => e.K).Order()));
                Assert.Equal(32, lanes.Select(e => ((e.K * RunGemm.ShortPaddedRow) + e.Row) % 32).Distinct().Count());
            }
        }

        Assert.Equal(new[] { 8, 2, 6, 0 }, new[] { 32, 8, 24, 0 }.Select(rows => RunPlace.AlongKShort(0).Live(rows)));
    }

    [Theory]
    [InlineData(64, 8)]
    [InlineData(1, 1)]
    [InlineData(5, 2)]
    [InlineData(0, 0)]
    public void LiveCountsTheRunsRowsInsideTheMatrix(int rows, int expectedForThread0)
    {
        Assert.Equal(expectedForThread0, RunPlace.AlongK(0).Live(rows));
        Assert.Equal(rows > 0 ? RunGemm.RunLength : 0, RunPlace.Rows(0, RunGemm.TileM).Live(rows));
    }

    private static RunPlace Place(int t, bool alongK) => alongK ? RunPlace.AlongK(t) : RunPlace.Rows(t, RunGemm.TileM);

    private static List<(int Row, int K)> Elements(RunPlace p) =>
        Enumerable.Range(0, RunGemm.RunLength).Select(j => p.Across == 0 ? (p.Index, p.K + j) : (p.Index + (j * p.Across), p.K)).ToList();
}
