using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>ReLU: y = max(x, 0).</summary>
public sealed class Relu : ILayer, IDisposable
{
    private readonly ReluKernels _kernels;
    private readonly Tensor _y;
    private Tensor? _x;

    public Relu(ComputeDevice device, string name)
    {
        Name = name;
        _kernels = ReluKernels.For(device);
        _y = Tensor.Allocate(device, new Shape(1, 1, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public IReadOnlyList<Parameter> Parameters => [];

    public Shape OutputShape(Shape input) => input;

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _y.EnsureShape(x.Shape);
        _kernels.Forward(x.View, _y.View);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        if (_x!.RequiresGrad)
        {
            _kernels.Backward(_y.View, _y.Grad, _x.Grad);
        }
    }

    public void Dispose() => _y.Dispose();
}
