using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Fully connected layer: (N, in) → (N, out), kernel [in, out] (Keras' layout), Glorot-uniform
/// kernel and zero bias. Input (N, C, H, W) is read as (N, C·H·W).
/// </summary>
public sealed class Dense : ILayer, IDisposable
{
    private readonly DenseKernels _kernels;
    private readonly Parameter _kernel;
    private readonly Parameter _bias;
    private readonly Tensor _y;
    private Tensor? _x;

    public Dense(ComputeDevice device, ParameterStore store, string name, int inFeatures, int outFeatures)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
        {
            throw new ArgumentException($"{name}: feature counts must be positive (got in={inFeatures}, out={outFeatures})");
        }

        Name = name;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _kernels = DenseKernels.For(device);
        _kernel = store.Add($"{name}.kernel", [inFeatures, outFeatures], true, Init.GlorotUniform, inFeatures, outFeatures);
        _bias = store.Add($"{name}.bias", [outFeatures], true, Init.Zeros);
        Parameters = [_kernel, _bias];
        _y = Tensor.Allocate(device, new Shape(1, outFeatures, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The device whose kernel plan (<see cref="KernelPlanner"/>) this layer launches; null: the device it runs on. Tests and the self-test set a GPU's figures to run the GPU bodies on the GPU-shaped CPU accelerator.</summary>
    public DeviceFigures? PlanFor { get; set; }

    public Shape OutputShape(Shape input)
    {
        if (input.SampleLength != InFeatures)
        {
            throw new ArgumentException($"{Name}: expected {InFeatures} input features, but got input {input}");
        }

        return new Shape(input.N, OutFeatures, 1, 1);
    }

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _y.EnsureShape(OutputShape(x.Shape));
        _kernels.Forward(x.Shape.N, InFeatures, OutFeatures, x.View, _kernel.Tensor.View, _bias.Tensor.View, _y.View, PlanFor);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        var x = _x!;
        int n = x.Shape.N;
        if (x.RequiresGrad)
        {
            _kernels.BackwardData(n, InFeatures, OutFeatures, _y.Grad, _kernel.Tensor.View, x.Grad, PlanFor);
        }

        _kernels.BackwardWeights(n, InFeatures, OutFeatures, x.View, _y.Grad, _kernel.Tensor.Grad, _bias.Tensor.Grad, PlanFor);
    }

    public void Dispose() => _y.Dispose();
}
