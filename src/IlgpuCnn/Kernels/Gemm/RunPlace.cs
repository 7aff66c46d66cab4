namespace IlgpuCnn.Kernels;

/// <summary>
/// Where thread t of <see cref="RunGemm.Run"/>'s 128 stages its run of 8 values of one operand's
/// 64 × 16 tile (rows or columns × k), and how the run lies in the k-major shared tile (and
/// where thread t of <see cref="RunGemm.RunShort"/>'s 64 stages its run of the 32 × 16 A tile:
/// <see cref="AlongKShort"/>):
/// <list type="bullet">
/// <item><see cref="Rows"/>: row t mod 64, k 8·(t div 64).. (the run goes down k, a shared row
/// apart): a warp load is 32 rows at one k — coalesced where rows are contiguous in memory (conv
/// pixels, im2col columns).</item>
/// <item><see cref="AlongK"/>: k 8·(t div 64) + t mod 8, rows 32·((t div 32) mod 2) + (t div 8) mod 4
/// + 4j (the run goes across rows, 4 apart): a warp load is 4 rows × 8 consecutive k, at most 4
/// cache lines where k is the contiguous index (the output gradient of backward-weights, whose
/// rows are channels a plane apart). With the A tile padded to 68 floats a k row, a warp's shared
/// stores hit 32 different banks.</item>
/// <item><see cref="AlongKShort"/>: the same runs on a 32-row tile: k 8·(t div 32) + t mod 8, rows
/// (t div 8) mod 4 + 4j, so a warp load is again 4 rows × 8 consecutive k; with that tile padded to
/// 36 floats a k row (<see cref="RunGemm.ShortPaddedRow"/>), a warp's stores hit 32 banks.</item>
/// </list>
/// </summary>
/// <param name="Index">the run's first row, relative to the tile</param>
/// <param name="K">the run's k, relative to the K step</param>
/// <param name="Step">shared-tile floats between the run's values</param>
/// <param name="Across">rows between the run's values (0 for <see cref="Rows"/>)</param>
public readonly record struct RunPlace(int Index, int K, int Step, int Across)
{
    /// <summary>Rows between an along-k run's values.</summary>
    public const int AlongKRowStep = 4;

    /// <summary>Run down k: row t mod 64 of a tile <paramref name="width"/> floats a k row.</summary>
    public static RunPlace Rows(int t, int width) => new(t & 63, (t >> 6) * RunGemm.RunLength, width, 0);

    /// <summary>Run across rows at one k (see the type's summary).</summary>
    public static RunPlace AlongK(int t) => new((32 * ((t >> 5) & 1)) + ((t >> 3) & 3), (8 * (t >> 6)) + (t & 7), AlongKRowStep, AlongKRowStep);

    /// <summary>Run across rows at one k on the 32-row tile of <see cref="RunGemm.RunShort"/> (64 threads; see the type's summary).</summary>
    public static RunPlace AlongKShort(int t) => new((t >> 3) & 3, (8 * (t >> 5)) + (t & 7), AlongKRowStep, AlongKRowStep);

    /// <summary>The run's values that lie in a tile whose first <paramref name="rows"/> rows exist (0–8; a row run is all or nothing).</summary>
    public int Live(int rows)
    {
        int left = rows - Index;
        int live = Across == 0 ? RunGemm.RunLength : (left + Across - 1) / Across;
        return left <= 0 ? 0 : live < RunGemm.RunLength ? live : RunGemm.RunLength;
    }
}
