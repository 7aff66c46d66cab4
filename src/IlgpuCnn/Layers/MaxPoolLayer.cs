using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Max pooling 2×2, stride 2, "valid"; backward routes each gradient to its window's argmax. Two
/// layers share this code and its kernels: <see cref="MaxPool2d"/>, and <see cref="MaxPoolDropout"/>
/// (MaxPool → Dropout fused, drawing the same mask as a <see cref="Dropout"/> layer with that layer
/// id would; active in training only).
/// </summary>
public abstract class MaxPoolLayer : ILayer, IDisposable
{
    private readonly ComputeDevice _device;
    private readonly MaxPoolKernels _kernels;
    private readonly Tensor _y;
    private MemoryBuffer1D<int, Stride1D.Dense>? _argmax;
    private readonly int _dropoutId;
    private Tensor? _x;
    private uint _key;
    private float _activeRate;

    private protected MaxPoolLayer(ComputeDevice device, string name, float dropoutRate, int dropoutLayerId)
    {
        DropoutKernels.CheckRate(name, dropoutRate);

        _device = device;
        Name = name;
        DropoutRate = dropoutRate;
        _dropoutId = dropoutLayerId;
        _kernels = MaxPoolKernels.For(device);
        _y = Tensor.Allocate(device, new Shape(1, 1, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    /// <summary>Rate of the fused dropout (0: plain max-pool).</summary>
    public float DropoutRate { get; }

    public IReadOnlyList<Parameter> Parameters => [];

    public Shape OutputShape(Shape input)
    {
        if (input.H < 2 || input.W < 2)
        {
            throw new ArgumentException($"{Name}: a 2x2 pool needs at least 2x2 input, but got {input}");
        }

        return input with { H = input.H / 2, W = input.W / 2 };
    }

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _y.EnsureShape(OutputShape(x.Shape));
        if (_argmax is null || _argmax.Length < _y.Length)
        {
            _argmax?.Dispose();
            _argmax = _device.Accelerator.Allocate1D<int>(_y.Length);
        }

        _activeRate = tape.Pass.IsTraining ? DropoutRate : 0f;
        _key = _activeRate > 0f ? DropoutKernels.MaskKey(tape.Pass.Seed, _dropoutId, tape.Pass.Step) : 0u;
        _kernels.Forward(x.Shape.N * x.Shape.C, x.Shape.H, x.Shape.W, x.View, _y.View, Argmax, _key, _activeRate);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        var x = _x!;
        if (x.RequiresGrad)
        {
            if (x.Shape.H % 2 != 0 || x.Shape.W % 2 != 0)
            {
                // The kernel writes every input of every window; an odd last row/column is in none.
                _device.Zero(x.Grad);
            }

            _kernels.Backward(x.Shape.N * x.Shape.C, x.Shape.H, x.Shape.W, _y.Grad, Argmax, x.Grad, _key, _activeRate);
        }
    }

    private ArrayView<int> Argmax => _argmax!.View.SubView(0, _y.Length);

    public void Dispose()
    {
        _argmax?.Dispose();
        _y.Dispose();
        GC.SuppressFinalize(this);
    }
}
