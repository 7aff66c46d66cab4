using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The forward conv GEMM's B for the Run bodies, read from the weights' transposed copy
/// (<see cref="ConvWeightCopies"/>: wT[(tap·Ci + ci)·Co + co], K×N row-major in the tap-major k of
/// <see cref="ConvTapRun"/>): column co read along k as wT[k·Co + co]. A run of 8 k is 8 rows of
/// the copy, Co floats apart; a warp load (32 consecutive columns at one k, <see cref="RunPlace.Rows"/>)
/// reads 32 consecutive floats, one or two cache lines.
/// </summary>
public struct ForwardWeightsRun : IKRun
{
    private readonly ArrayView<float> _wT;
    private readonly int _co;
    private int _at;

    /// <summary>The copy of a layer of <paramref name="g"/>'s sizes (Co columns).</summary>
    public ForwardWeightsRun(ArrayView<float> wT, ConvGeometry g)
    {
        _wT = wT;
        _co = g.Co;
    }

    public void Start(int j, int k) => _at = (k * _co) + j;

    public void Load(ref Staged8 s, int count, int advance)
    {
        s.Gather(_wT, _at, _co, count > 0);
        _at += advance * _co;
    }
}
