using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights A: channel co of dy [N, Co, Plane] (Plane = OH·OW) read along k = (n, p),
/// the run form of <see cref="ChannelPlanesCursor"/>. A run of 8 k is 8 consecutive pixels of one
/// image (needs the plane a multiple of 8): one base address, then contiguous loads.
/// </summary>
public struct ChannelPlanesRun : IKRun
{
    private readonly ArrayView<float> _src;
    private readonly int _channels;
    private readonly int _plane;
    private int _at;
    private int _p;

    public ChannelPlanesRun(ArrayView<float> src, int channels, int plane)
    {
        _src = src;
        _channels = channels;
        _plane = plane;
    }

    public void Start(int c, int k)
    {
        int q = ConvIndex.Split(k, _plane, out _p);
        _at = (((q * _channels) + c) * _plane) + _p;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        s.Gather(_src, _at, 1, count > 0);

        // On by the advance (at most 16 pixels; with a plane of at least 8 that crosses at most two images).
        _p += advance;
        _at += advance;
        if (_p >= _plane)
        {
            _p -= _plane;
            _at += (_channels - 1) * _plane;
        }

        if (_p >= _plane)
        {
            _p -= _plane;
            _at += (_channels - 1) * _plane;
        }
    }
}
