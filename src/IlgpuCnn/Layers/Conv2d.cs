using ILGPU;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// 2D convolution, NCHW, kernel stored [Co, Ci, KH, KW] (PyTorch's layout), Glorot-uniform
/// kernel (fan = KH·KW·channels) and zero bias as Keras' Conv2D. "same" padding at stride 1 is
/// the recipe; stride and padding are general. Where its forward plan is a GEMM or Direct body, the forward
/// reads the kernel's transposed copy (<see cref="ConvWeightCopies"/>): the one its network wrote at
/// the start of this forward pass (<see cref="ConvForwardCopies"/>, handed over by <see cref="UseCopy"/>),
/// or, for a layer run on its own, a copy of its own written just before its forward.
/// </summary>
public sealed class Conv2d : ILayer, IDisposable
{
    private readonly Conv2dKernels _kernels;
    private readonly Parameter _kernel;
    private readonly Parameter _bias;
    private readonly Tensor _y;
    private readonly ComputeDevice _device;
    private readonly ParameterStore _store;
    private ConvWeightCopies? _ownCopy;
    private ArrayView<float> _passCopy;
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
        (_device, _store) = (device, store);
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

    /// <summary>The device and store this layer's kernel lives on (a network's copies are made per store).</summary>
    internal (ComputeDevice Device, ParameterStore Store) Home => (_device, _store);

    /// <summary>Where the kernel lies in its store's trainable values, as a <see cref="ConvWeightCopies"/> slot.</summary>
    internal ConvWeightSlot Slot => new(_kernel.Offset, OutChannels, InChannels, KernelSize * KernelSize);

    /// <summary>Whether this layer's forward of <paramref name="input"/> reads the kernel's transposed copy (its plan is a GEMM or Direct body: <see cref="KernelPlan.ReadsWeightsCopy"/>).</summary>
    public bool ForwardReadsCopy(Shape input) => _kernels.ForwardPlan(Geometry(input), PlanFor).ReadsWeightsCopy;

    /// <summary>Hands the layer the copy of its kernel written at the start of this forward pass; the next <see cref="Forward"/> reads it (once).</summary>
    internal void UseCopy(ArrayView<float> copy) => _passCopy = copy;

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _g = Geometry(x.Shape);
        _y.EnsureShape(OutputShape(x.Shape));
        var copy = ForwardReadsCopy(x.Shape) ? (_passCopy.Length > 0 ? _passCopy : OwnCopy()) : default;
        _passCopy = default;
        _kernels.Forward(_g, x.View, _kernel.Tensor.View, copy, _bias.Tensor.View, _y.View, PlanFor);
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

    /// <summary>A layer run outside a network's pass: its own copy (allocated on first use), written now.</summary>
    private ArrayView<float> OwnCopy()
    {
        _ownCopy ??= new ConvWeightCopies(_device, _store.Values, [Slot]);
        _ownCopy.Refresh();
        return _ownCopy.View(0);
    }

    private ConvGeometry Geometry(Shape s) => new(s.N, s.C, s.H, s.W, OutChannels, KernelSize, KernelSize, Stride, Padding);

    public void Dispose()
    {
        _y.Dispose();
        _ownCopy?.Dispose();
    }
}
