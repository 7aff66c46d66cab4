using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// NCHW output of a conv-shaped GEMM: m = (n, h, w) over a [N, channels, H, W] tensor, n = channel;
/// stored as <see cref="GemmStoreMode"/> says, with bias[c] added on <see cref="GemmStoreMode.Write"/> (bias may be empty).
/// The row cursor keeps (image, pixel) as counters: <see cref="Seek"/> splits its row by the plane's
/// host-prepared <see cref="Divisor"/> (a multiply and a shift, no division), <see cref="Next"/> steps them.
/// </summary>
public struct NchwOut : IGemmOut
{
    private readonly ArrayView<float> _y;
    private readonly ArrayView<float> _bias;
    private readonly int _channels;
    private readonly int _hw;
    private readonly Divisor _plane;
    private readonly GemmStoreMode _mode;
    private int _pixel;
    private long _at;

    public NchwOut(ArrayView<float> y, ArrayView<float> bias, int channels, Divisor plane, GemmStoreMode mode)
    {
        _y = y;
        _bias = bias;
        _channels = channels;
        _hw = plane.Value;
        _plane = plane;
        _mode = mode;
        _pixel = 0;
        _at = 0;
    }

    public void Seek(int m)
    {
        int n = _plane.Split(m, out _pixel);
        _at = ((long)n * _channels * _hw) + _pixel;
    }

    public void Next()
    {
        _at++;
        if (++_pixel == _hw)
        {
            // Past the image's last pixel: channel 0 of the next image.
            _pixel = 0;
            _at += (long)(_channels - 1) * _hw;
        }
    }

    public readonly float Addend(int c) =>
        GemmStore.Addend(_y, _at + ((long)c * _hw), _mode == GemmStoreMode.Write && _bias.Length > 0 ? _bias[c] : 0f, _mode);

    public readonly void Put(int c, float value, float addend) => GemmStore.Put(_y, _at + ((long)c * _hw), value, addend, _mode);
}
