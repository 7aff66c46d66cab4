using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>Global average pooling: (N, C, H, W) → (N, C) (stored as (N, C, 1, 1)).</summary>
public sealed class GlobalAvgPool : ILayer, IDisposable
{
    private readonly GlobalAvgPoolKernels _kernels;
    private readonly Tensor _y;
    private Tensor? _x;

    public GlobalAvgPool(ComputeDevice device, string name)
    {
        Name = name;
        _kernels = GlobalAvgPoolKernels.For(device);
        _y = Tensor.Allocate(device, new Shape(1, 1, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public IReadOnlyList<Parameter> Parameters => [];

    public Shape OutputShape(Shape input) => new(input.N, input.C, 1, 1);

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _y.EnsureShape(OutputShape(x.Shape));
        _kernels.Forward(x.Shape.N * x.Shape.C, x.Shape.H * x.Shape.W, x.View, _y.View);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        if (_x!.RequiresGrad)
        {
            _kernels.Backward(_x.Shape.H * _x.Shape.W, _y.Grad, _x.Grad);
        }
    }

    public void Dispose() => _y.Dispose();
}
