namespace IlgpuCnn.Kernels;

/// <summary>
/// Walks the values of channel c of an NCHW tensor — (n, hw) pairs — from position
/// <c>start</c> in steps of <c>step</c>, without a division per value.
/// </summary>
public struct ChannelCursor
{
    private readonly int _hw;
    private readonly int _planeStride;
    private readonly int _step;
    private readonly int _n;
    private int _sample;
    private int _r;

    public ChannelCursor(BatchNormDims d, int c, int start, int step)
    {
        _hw = d.HW;
        _planeStride = d.C * d.HW;
        _step = step;
        _n = d.N;
        _sample = start / d.HW;
        _r = start - _sample * d.HW;
        Offset = _sample * _planeStride + c * d.HW + _r;
    }

    /// <summary>Flat index of the current value.</summary>
    public int Offset { get; private set; }

    public readonly bool Valid => _sample < _n;

    public void Next()
    {
        _r += _step;
        Offset += _step;
        while (_r >= _hw)
        {
            _r -= _hw;
            _sample++;
            Offset += _planeStride - _hw;
        }
    }
}
