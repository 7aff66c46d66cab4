using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tensors;

/// <summary>
/// Every parameter of a model in flat device buffers: trainable values, their gradients and the
/// AdamW moments side by side (so one launch updates all and one memset zeroes all gradients),
/// and the non-trainable state (BN moving mean/variance) in a buffer of its own.
/// Layers <see cref="Add"/> their parameters at construction; <see cref="Materialize"/> then
/// allocates and initialises everything once.
/// </summary>
public sealed class ParameterStore : IDisposable
{
    private readonly List<Parameter> _all = new();
    private ComputeDevice? _device;
    private MemoryBuffer1D<float, Stride1D.Dense>? _values;
    private MemoryBuffer1D<float, Stride1D.Dense>? _grads;
    private MemoryBuffer1D<float, Stride1D.Dense>? _m;
    private MemoryBuffer1D<float, Stride1D.Dense>? _v;
    private MemoryBuffer1D<float, Stride1D.Dense>? _state;

    public IReadOnlyList<Parameter> All => _all;

    public long TrainableCount { get; private set; }

    public long StateCount { get; private set; }

    public long TotalCount => TrainableCount + StateCount;

    public bool IsMaterialized => _values is not null;

    /// <summary>Trainable values, gradients and AdamW moments (valid after <see cref="Materialize"/>).</summary>
    public ArrayView<float> Values => _values!.View;

    public ArrayView<float> Grads => _grads!.View;

    public ArrayView<float> FirstMoments => _m!.View;

    public ArrayView<float> SecondMoments => _v!.View;

    public ArrayView<float> State => _state!.View;

    /// <summary>Registers a parameter; names must be unique.</summary>
    public Parameter Add(string name, int[] dims, bool trainable, Init init, int fanIn = 0, int fanOut = 0)
    {
        if (IsMaterialized)
        {
            throw new InvalidOperationException($"parameter '{name}' was added after the store was materialised");
        }

        if (_all.Any(p => p.Name == name))
        {
            throw new ArgumentException($"parameter name '{name}' is used twice", nameof(name));
        }

        var p = new Parameter(name, dims, trainable, init, fanIn, fanOut);
        if (trainable)
        {
            p.Offset = TrainableCount;
            TrainableCount += p.Count;
        }
        else
        {
            p.Offset = StateCount;
            StateCount += p.Count;
        }

        _all.Add(p);
        return p;
    }

    /// <summary>Allocates the flat buffers and initialises every parameter from <paramref name="seed"/>.</summary>
    public void Materialize(ComputeDevice device, uint seed)
    {
        var acc = device.Accelerator;
        _device = device;
        _values = acc.Allocate1D<float>(Math.Max(1, TrainableCount));
        _grads = acc.Allocate1D<float>(Math.Max(1, TrainableCount));
        _m = acc.Allocate1D<float>(Math.Max(1, TrainableCount));
        _v = acc.Allocate1D<float>(Math.Max(1, TrainableCount));
        _state = acc.Allocate1D<float>(Math.Max(1, StateCount));
        _grads.MemSetToZero();
        _m.MemSetToZero();
        _v.MemSetToZero();

        foreach (var p in _all)
        {
            var shape = p.Dims.Length switch
            {
                1 => new Shape(p.Dims[0], 1, 1, 1),
                2 => new Shape(p.Dims[0], p.Dims[1], 1, 1),
                4 => new Shape(p.Dims[0], p.Dims[1], p.Dims[2], p.Dims[3]),
                _ => throw new ArgumentException($"parameter '{p.Name}' has {p.Dims.Length} dimensions; 1, 2 or 4 are supported"),
            };
            p.Tensor = p.Trainable
                ? Tensor.Wrap(device, shape, _values.View.SubView(p.Offset, p.Count), _grads.View.SubView(p.Offset, p.Count), p.Name)
                : Tensor.Wrap(device, shape, _state.View.SubView(p.Offset, p.Count), default, p.Name);
        }

        Upload(InitialValues(seed));
    }

    /// <summary>Host values of every parameter at initialisation (Keras' initialisers, seeded).</summary>
    public float[] InitialValues(uint seed)
    {
        var all = new float[TotalCount];
        for (int index = 0; index < _all.Count; index++)
        {
            var p = _all[index];
            long start = FlatOffset(p);
            double limit = p.InitKind == Init.GlorotUniform ? Math.Sqrt(6.0 / (p.FanIn + p.FanOut)) : 0;
            for (int i = 0; i < p.Count; i++)
            {
                all[start + i] = p.InitKind switch
                {
                    Init.Zeros => 0f,
                    Init.Ones => 1f,
                    _ => (float)((CounterRng.Uniform(seed, CounterRng.StreamInit + (uint)index, (uint)i) * 2.0 - 1.0) * limit),
                };
            }
        }

        return all;
    }

    /// <summary>Where <paramref name="p"/> starts in the flat layout of <see cref="Download"/>/<see cref="Upload"/> (trainables first, then state).</summary>
    public long FlatOffset(Parameter p) => (p.Trainable ? 0 : TrainableCount) + p.Offset;

    /// <summary>Host copy of every value: trainables first, then state (the layout of <see cref="Upload"/>).</summary>
    public float[] Download()
    {
        var all = new float[TotalCount];
        var values = new float[TrainableCount];
        var state = new float[StateCount];
        Values.SubView(0, TrainableCount).CopyToCPU(values);
        State.SubView(0, StateCount).CopyToCPU(state);
        values.CopyTo(all, 0);
        state.CopyTo(all, TrainableCount);
        return all;
    }

    /// <summary>Uploads values laid out as <see cref="Download"/> returns them.</summary>
    public void Upload(float[] all)
    {
        if (all.LongLength != TotalCount)
        {
            throw new ArgumentException($"expected {TotalCount} parameter values, but got {all.Length}", nameof(all));
        }

        Values.SubView(0, TrainableCount).CopyFromCPU(all.AsSpan(0, (int)TrainableCount).ToArray());
        State.SubView(0, StateCount).CopyFromCPU(all.AsSpan((int)TrainableCount).ToArray());
    }

    /// <summary>Sets all gradients to zero: one memset.</summary>
    public void ZeroGrad() => (_device ?? throw new InvalidOperationException("ZeroGrad() before Materialize()")).Zero(Grads);

    public void Dispose()
    {
        _state?.Dispose();
        _v?.Dispose();
        _m?.Dispose();
        _grads?.Dispose();
        _values?.Dispose();
    }
}
