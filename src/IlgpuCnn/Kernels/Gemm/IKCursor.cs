namespace IlgpuCnn.Kernels;

/// <summary>
/// One row of a GEMM's A (or one column of B) read along k, one step at a time: the blocked GEMM
/// stages 16 consecutive k of one row (or column) per thread per K step, so an operand decodes
/// its indices once in <see cref="Start"/> (divisions allowed there) and then only steps its
/// counters in <see cref="Next"/> (adds and compares: no integer division in the K loop).
/// </summary>
public interface IKCursor
{
    /// <summary>Positions the cursor at row (or column) <paramref name="index"/>, k = <paramref name="k"/>.</summary>
    void Start(int index, int k);

    /// <summary>The element at the current k (0 in padding), then k += 1.</summary>
    float Next();
}
