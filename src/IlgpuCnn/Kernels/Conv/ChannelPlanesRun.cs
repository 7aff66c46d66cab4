using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights A: channel co of dy [N, Co, Plane] (Plane = OH·OW) read along k = (n, p),
/// the run form of <see cref="ChannelPlanesCursor"/>, staged along k (<see cref="RunPlace.AlongK"/>):
/// a run is one pixel k of 8 channels co, co + 4, … (a base address, then loads 4 planes apart), so
/// a warp's load is 4 channels × 8 consecutive pixels (needs the plane a multiple of 8). The count
/// a load gets is how many of the run's channels exist (<see cref="Staged8.GatherRows"/>).
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
        s.GatherRows(_src, _at, RunPlace.AlongKRowStep * _plane, count);

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
