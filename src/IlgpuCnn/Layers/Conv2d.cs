using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// 2D convolution, NCHW, kernel stored [Co, Ci, KH, KW] (PyTorch's layout), Glorot-uniform
/// kernel (fan = KH·KW·channels) and zero bias as Keras' Conv2D. "same" padding at stride 1 is
/// the recipe; stride and padding are general.
/// </summary>
public sealed class Conv2d : ILayer, IDisposable
{
    private readonly Conv2dKernels _kernels;
    private readonly Parameter _kernel;
    private readonly Parameter _bias;
    private readonly Tensor _y;
    private Tensor? _x;
    private ConvGeometry _g;

    public Conv2d(ComputeDevice device, ParameterStore store, string name, int inChannels, int outChannels, int kernelSize = 3, int stride = 1, int padding = -1)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0)
        {
            throw new ArgumentException($"{name}: channels, kernel size and stride must be positive (got in={inChannels}, out={outChannels}, k={kernelSize}, stride={stride})");
        }

        Name = name;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding < 0 ? ConvGeometry.SamePad(kernelSize) : padding;
        _kernels = Conv2dKernels.For(device);
        int k2 = kernelSize * kernelSize;
        _kernel = store.Add($"{name}.kernel", [outChannels, inChannels, kernelSize, kernelSize], true, Init.GlorotUniform, k2 * inChannels, k2 * outChannels);
        _bias = store.Add($"{name}.bias", [outChannels], true, Init.Zeros);
        Parameters = [_kernel, _bias];
        _y = Tensor.Allocate(device, new Shape(1, outChannels, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The device whose kernel plan (<see cref="KernelPlanner"/>) this layer launches; null: the device it runs on. Tests and the self-test set a GPU's figures to run the GPU bodies on the GPU-shaped CPU accelerator.</summary>
    public DeviceFigures? PlanFor { get; set; }

    public Shape OutputShape(Shape input)
    {
        if (input.C != InChannels)
        {
            throw new ArgumentException($"{Name}: expected {InChannels} input channels, but got input {input}");
        }

        var g = Geometry(input);
        return new Shape(input.N, OutChannels, g.OH, g.OW);
    }

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _g = Geometry(x.Shape);
        _y.EnsureShape(OutputShape(x.Shape));
        _kernels.Forward(_g, x.View, _kernel.Tensor.View, _bias.Tensor.View, _y.View, PlanFor);
        _x = x;
        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward()
    {
        var x = _x!;
        if (x.RequiresGrad)
        {
            _kernels.BackwardData(_g, _y.Grad, _kernel.Tensor.View, x.Grad, PlanFor);
        }

        _kernels.BackwardWeights(_g, x.View, _y.Grad, _kernel.Tensor.Grad, _bias.Tensor.Grad, PlanFor);
    }

    private ConvGeometry Geometry(Shape s) => new(s.N, s.C, s.H, s.W, OutChannels, KernelSize, KernelSize, Stride, Padding);

    public void Dispose() => _y.Dispose();
}
