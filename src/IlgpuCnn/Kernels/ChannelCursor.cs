namespace IlgpuCnn.Kernels;

/// <summary>
/// Walks the values of channel c of an NCHW tensor — (n, hw) pairs — from position
/// <c>start</c> in steps of <c>step</c>, without a division per value (the step is split into
/// whole samples and a remainder once, so each step is two adds and one carry).
/// </summary>
public struct ChannelCursor
{
    private readonly int _hw;
    private readonly int _planeStride;
    private readonly int _stepSamples;
    private readonly int _stepRest;
    private readonly int _stepOffset;
    private readonly int _n;
    private int _sample;
    private int _r;

    public ChannelCursor(BatchNormDims d, int c, int start, int step)
    {
        _hw = d.HW;
        _planeStride = d.C * d.HW;
        _stepSamples = step / d.HW;
        _stepRest = step - (_stepSamples * d.HW);
        _stepOffset = (_stepSamples * _planeStride) + _stepRest;
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
        _r += _stepRest;
        _sample += _stepSamples;
        Offset += _stepOffset;
        if (_r >= _hw)
        {
            _r -= _hw;
            _sample++;
            Offset += _planeStride - _hw;
        }
    }
}
