using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// One run of 8 values a thread stages for <see cref="RunGemm"/> (one per operand per K step, two
/// for A on the 64×32 tile), held in registers between their global loads and their shared stores (so the next K step's loads
/// overlap this one's math).
/// </summary>
public struct Staged8
{
    public float V0;
    public float V1;
    public float V2;
    public float V3;
    public float V4;
    public float V5;
    public float V6;
    public float V7;

    /// <summary>
    /// True when the run reads as zeros (padding, a row outside the matrix, or past the end of K):
    /// its loads went to a clamped address and <see cref="Store"/> writes zeros. False after
    /// <c>default</c>, so an operand that fills V0..V7 itself stores them as they are.
    /// </summary>
    public bool Zero;

    /// <summary>
    /// Reads data[at + j·stride] for j = 0..7, or zeros where not <paramref name="ok"/>. The loads
    /// are unconditional: where not ok they all read data[0] (the view is never empty) and the
    /// zeros are decided in <see cref="Store"/>. A predicated load would let ptxas if-convert the
    /// run and sink it to just before its use; an unconditional one is issued here, a whole K
    /// step of math ahead of the shared stores that consume it. 32-bit offsets: the run kernels
    /// are launched only on views of fewer than 2³¹ elements.
    /// </summary>
    public void Gather(ArrayView<float> data, int at, int stride, bool ok)
    {
        Zero = !ok;
        at = ok ? at : 0;
        stride = ok ? stride : 0;
        V0 = data[at];
        V1 = data[at + stride];
        V2 = data[at + (2 * stride)];
        V3 = data[at + (3 * stride)];
        V4 = data[at + (4 * stride)];
        V5 = data[at + (5 * stride)];
        V6 = data[at + (6 * stride)];
        V7 = data[at + (7 * stride)];
    }

    /// <summary>Stores the run (zeros where <see cref="Zero"/>) as rows <paramref name="row0"/>..+7, column <paramref name="lane"/> of a k-major [16][<paramref name="width"/>] tile.</summary>
    public readonly void Store(ArrayView<float> tile, int row0, int lane, int width)
    {
        int at = (row0 * width) + lane;
        tile[at] = Zero ? 0f : V0;
        tile[at + width] = Zero ? 0f : V1;
        tile[at + (2 * width)] = Zero ? 0f : V2;
        tile[at + (3 * width)] = Zero ? 0f : V3;
        tile[at + (4 * width)] = Zero ? 0f : V4;
        tile[at + (5 * width)] = Zero ? 0f : V5;
        tile[at + (6 * width)] = Zero ? 0f : V6;
        tile[at + (7 * width)] = Zero ? 0f : V7;
    }

    /// <summary>
    /// A run across rows (<see cref="RunPlace.AlongK"/>): reads data[at + j·stride] for j = 0..7,
    /// where only the first <paramref name="rows"/> rows exist (all when ≥ 8; zeros when ≤ 0, the
    /// run past the end of K). The rows past them re-read the last one: a row of A outside the
    /// matrix only feeds rows of C that are never stored, so it needs an in-bounds address, not a
    /// zero. Unconditional loads, like <see cref="Gather"/>.
    /// </summary>
    public void GatherRows(ArrayView<float> data, int at, int stride, int rows)
    {
        Zero = rows <= 0;
        at = Zero ? 0 : at;
        int last = Zero ? 0 : rows - 1;
        V0 = data[at];
        V1 = data[at + ((last < 1 ? last : 1) * stride)];
        V2 = data[at + ((last < 2 ? last : 2) * stride)];
        V3 = data[at + ((last < 3 ? last : 3) * stride)];
        V4 = data[at + ((last < 4 ? last : 4) * stride)];
        V5 = data[at + ((last < 5 ? last : 5) * stride)];
        V6 = data[at + ((last < 6 ? last : 6) * stride)];
        V7 = data[at + ((last < 7 ? last : 7) * stride)];
    }

    /// <summary>Stores the run (zeros where <see cref="Zero"/>) at tile[at + j·<paramref name="step"/>].</summary>
    public readonly void StoreAt(ArrayView<float> tile, int at, int step)
    {
        tile[at] = Zero ? 0f : V0;
        tile[at + step] = Zero ? 0f : V1;
        tile[at + (2 * step)] = Zero ? 0f : V2;
        tile[at + (3 * step)] = Zero ? 0f : V3;
        tile[at + (4 * step)] = Zero ? 0f : V4;
        tile[at + (5 * step)] = Zero ? 0f : V5;
        tile[at + (6 * step)] = Zero ? 0f : V6;
        tile[at + (7 * step)] = Zero ? 0f : V7;
    }
}
