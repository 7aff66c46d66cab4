namespace IlgpuCnn.Kernels;

/// <summary>
/// Where a GEMM's C goes, walked row by row as a thread stores its register block
/// (<see cref="Block8x4.Store"/>): <see cref="Seek"/> its first row (once per thread; an output that
/// must split the row divides by a host-prepared <see cref="Divisor"/>, never by a runtime
/// division), <see cref="Next"/> for each following row, then per
/// element only a column offset. Each element is stored as addend + value: the block first reads
/// the addends of four rows (their loads in flight together), then stores the four rows, so no
/// element waits for the one before it.
/// </summary>
public interface IGemmOut
{
    /// <summary>Positions the output at row <paramref name="m"/>.</summary>
    void Seek(int m);

    /// <summary>Moves one row on.</summary>
    void Next();

    /// <summary>What C(row, n) is stored on top of (see <see cref="GemmStore.Addend"/>); call only for elements inside C.</summary>
    float Addend(int n);

    /// <summary>Stores C(row, n) (see <see cref="GemmStore.Put"/>); call only for elements inside C.</summary>
    void Put(int n, float value, float addend);
}
