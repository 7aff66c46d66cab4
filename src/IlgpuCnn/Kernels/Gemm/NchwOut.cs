using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// NCHW output of a conv-shaped GEMM: m = (n, h, w) over a [N, channels, H, W] tensor, n = channel;
/// stored as <see cref="GemmStoreMode"/> says, with bias[c] added on <see cref="GemmStoreMode.Write"/> (bias may be empty).
/// </summary>
public readonly struct NchwOut : IGemmOut
{
    private readonly ArrayView<float> _y;
    private readonly ArrayView<float> _bias;
    private readonly int _channels;
    private readonly int _hw;
    private readonly GemmStoreMode _mode;

    public NchwOut(ArrayView<float> y, ArrayView<float> bias, int channels, int hw, GemmStoreMode mode)
    {
        _y = y;
        _bias = bias;
        _channels = channels;
        _hw = hw;
        _mode = mode;
    }

    public void Store(int m, int c, float value)
    {
        int n = m / _hw;
        int r = m - n * _hw;
        GemmStore.Put(_y, ((long)n * _channels + c) * _hw + r, _mode == GemmStoreMode.Write && _bias.Length > 0 ? value + _bias[c] : value, _mode);
    }
}
