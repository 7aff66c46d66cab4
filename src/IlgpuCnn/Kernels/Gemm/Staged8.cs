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
    /// Reads data[at + j·stride] for j = 0..7 where <paramref name="ok"/>, else zeros. The
    /// addresses are computed either way and each load is predicated on its own (no branch
    /// around the run, so the loaded registers go straight to the shared stores: nothing waits
    /// for them until then). 32-bit offsets: the run kernels are launched only on views of fewer
    /// than 2³¹ elements.
    /// </summary>
    public void Gather(ArrayView<float> data, int at, int stride, bool ok)
    {
        V0 = ok ? data[at] : 0f;
        at += stride;
        V1 = ok ? data[at] : 0f;
        at += stride;
        V2 = ok ? data[at] : 0f;
        at += stride;
        V3 = ok ? data[at] : 0f;
        at += stride;
        V4 = ok ? data[at] : 0f;
        at += stride;
        V5 = ok ? data[at] : 0f;
        at += stride;
        V6 = ok ? data[at] : 0f;
        at += stride;
        V7 = ok ? data[at] : 0f;
    }

    /// <summary>Stores the run as rows <paramref name="row0"/>..+7, column <paramref name="lane"/> of a k-major [16][<paramref name="width"/>] tile.</summary>
    public readonly void Store(ArrayView<float> tile, int row0, int lane, int width)
    {
        int at = (row0 * width) + lane;
        tile[at] = V0;
        tile[at + width] = V1;
        tile[at + (2 * width)] = V2;
        tile[at + (3 * width)] = V3;
        tile[at + (4 * width)] = V4;
        tile[at + (5 * width)] = V5;
        tile[at + (6 * width)] = V6;
        tile[at + (7 * width)] = V7;
    }
}
