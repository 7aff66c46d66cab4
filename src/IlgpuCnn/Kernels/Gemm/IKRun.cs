namespace IlgpuCnn.Kernels;

/// <summary>
/// One row of a GEMM's A (or one column of B) staged as runs of <see cref="RunGemm.RunLength"/>
/// consecutive k: in <see cref="RunGemm"/> every thread loads whole runs (on the 64×64 tile one run
/// of A and one of B per K step, threads 0–63 the first half of the step's 16 k and threads 64–127
/// the second; on the 64×32 tile both runs of its row of A and one run of B), so an operand decodes
/// its indices once in <see cref="Start"/> (divisions allowed there) and per run computes one base
/// address, after which the run's loads differ by a fixed stride.
/// </summary>
public interface IKRun
{
    /// <summary>Positions the operand at row (or column) <paramref name="index"/>, with its first run at k = <paramref name="k"/>.</summary>
    void Start(int index, int k);

    /// <summary>
    /// Reads the current run into <paramref name="s"/> (all zeros when <paramref name="count"/> ≤ 0:
    /// the row is outside the matrix or the run lies past the end of K), then moves
    /// <paramref name="advance"/> k on (a whole K step, <see cref="RunGemm.TileK"/>, when the thread
    /// stages one run per K step; <see cref="RunGemm.RunLength"/> when it stages two in a row).
    /// </summary>
    void Load(ref Staged8 s, int count, int advance);
}
