namespace IlgpuCnn.Kernels;

/// <summary>
/// Walks the values of channel c of an NCHW tensor — (n, hw) pairs — from position
/// <c>start</c> in steps of <c>step</c> up to position <c>end</c> (the channel's end, or a slice's),
/// without a division per value (the step is split into whole samples and a remainder once, so
/// each step is three adds and one carry).
/// </summary>
public struct ChannelCursor
{
    private readonly int _hw;
    private readonly int _planeStride;
    private readonly int _stepSamples;
    private readonly int _stepRest;
    private readonly int _stepOffset;
    private readonly int _step;
    private readonly int _end;
    private int _position;
    private int _r;

    public ChannelCursor(BatchNormDims d, int c, int start, int step, int end)
    {
        _step = step;
        _end = end;
        _position = start;
        _hw = d.HW;
        _planeStride = d.C * d.HW;
        _stepSamples = step / d.HW;
        _stepRest = step - (_stepSamples * d.HW);
        _stepOffset = (_stepSamples * _planeStride) + _stepRest;
        int sample = start / d.HW;
        _r = start - sample * d.HW;
        Offset = sample * _planeStride + c * d.HW + _r;
    }

    /// <summary>Flat index of the current value.</summary>
    public int Offset { get; private set; }

    public readonly bool Valid => _position < _end;

    public void Next()
    {
        _position += _step;
        _r += _stepRest;
        Offset += _stepOffset;
        if (_r >= _hw)
        {
            _r -= _hw;
            Offset += _planeStride - _hw;
        }
    }
}
