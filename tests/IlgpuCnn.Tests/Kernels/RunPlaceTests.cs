using IlgpuCnn.Kernels;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// <see cref="RunPlace"/>: both placements give every element of the 64 × 16 tile to exactly one
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
