using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Inverted dropout: in training keep each value with probability 1 − rate and scale it by
/// 1/(1 − rate); identity at inference. The mask is a function of (seed, layer id, step, index).
/// </summary>
public sealed class Dropout : ILayer, IDisposable
{
    private readonly DropoutKernels _kernels;
    private readonly Tensor _y;
    private readonly int _layerId;
    private Tensor? _x;
    private uint _key;

    public Dropout(ComputeDevice device, string name, float rate, int layerId)
    {
        DropoutKernels.CheckRate(name, rate);

        Name = name;
        Rate = rate;
        _layerId = layerId;
        _kernels = DropoutKernels.For(device);
        _y = Tensor.Allocate(device, new Shape(1, 1, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public float Rate { get; }

    public IReadOnlyList<Parameter> Parameters => [];

    public Shape OutputShape(Shape input) => input;

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        if (!tape.Pass.IsTraining || Rate == 0f)
        {
            return x;
        }

        _y.EnsureShape(x.Shape);
        _key = DropoutKernels.MaskKey(tape.Pass.Seed, _layerId, tape.Pass.Step);
        _kernels.Forward(_key, Rate, x.View, _y.View);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        if (_x!.RequiresGrad)
        {
            _kernels.Backward(_key, Rate, _y.Grad, _x.Grad);
        }
    }

    public void Dispose() => _y.Dispose();
}
