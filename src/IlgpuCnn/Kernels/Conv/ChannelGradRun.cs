using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights A: row co of dy[N, Co, OH, OW] read along k = (n, oh, ow). A run of 8
/// k is 8 consecutive pixels of one image (needs OH·OW a multiple of 8): one base address, then
/// contiguous loads.
/// </summary>
public struct ChannelGradRun : IKRun
{
    private readonly ArrayView<float> _dy;
    private readonly int _channels;
    private readonly int _plane;
    private int _at;
    private int _pix;

    public ChannelGradRun(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _channels = g.Co;
        _plane = g.OH * g.OW;
        _at = 0;
        _pix = 0;
    }

    public void Start(int co, int k)
    {
        int n = k / _plane;
        _pix = k - (n * _plane);
        _at = (((n * _channels) + co) * _plane) + _pix;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        s.Gather(_dy, _at, 1, count > 0);

        // On by the advance (at most 16 pixels; with OH·OW ≥ 8 that crosses at most two images).
        _pix += advance;
        _at += advance;
        if (_pix >= _plane)
        {
            _pix -= _plane;
            _at += (_channels - 1) * _plane;
        }

        if (_pix >= _plane)
        {
            _pix -= _plane;
            _at += (_channels - 1) * _plane;
        }
    }
}
