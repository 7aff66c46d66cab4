using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Batch normalisation over channel C of NCHW (or the features of a dense output), Keras
/// semantics: ε = 1e-3, momentum 0.99, biased batch variance; batch statistics in training (and
/// the moving averages updated), moving statistics at inference. γ = 1, β = 0, moving mean 0,
/// moving variance 1. Two layers share this code and its kernels: <see cref="BatchNorm"/>, and
/// <see cref="BatchNormRelu"/> (BatchNorm → ReLU in one pass each way).
/// </summary>
public abstract class BatchNormLayer : ILayer, IDisposable
{
    private readonly BatchNormKernels _kernels;
    private readonly Parameter _gamma;
    private readonly Parameter _beta;
    private readonly Parameter _movingMean;
    private readonly Parameter _movingVar;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scratch; // mean (C), invstd (C), sums (2C)
    private readonly Tensor _y;
    private Tensor? _x;
    private BatchNormDims _dims;

    private protected BatchNormLayer(ComputeDevice device, ParameterStore store, string name, int channels, float epsilon, float momentum, bool relu)
    {
        if (channels <= 0)
        {
            throw new ArgumentException($"{name}: channels must be positive (got {channels})");
        }

        Name = name;
        Channels = channels;
        Epsilon = epsilon;
        Momentum = momentum;
        AppliesRelu = relu;
        _kernels = BatchNormKernels.For(device);
        _gamma = store.Add($"{name}.gamma", [channels], true, Init.Ones);
        _beta = store.Add($"{name}.beta", [channels], true, Init.Zeros);
        _movingMean = store.Add($"{name}.moving_mean", [channels], false, Init.Zeros);
        _movingVar = store.Add($"{name}.moving_variance", [channels], false, Init.Ones);
        Parameters = [_gamma, _beta, _movingMean, _movingVar];
        _scratch = device.Accelerator.Allocate1D<float>(4L * channels);
        _y = Tensor.Allocate(device, new Shape(1, channels, 1, 1), true, $"{name}.out");
    }

    public string Name { get; }

    public int Channels { get; }

    public float Epsilon { get; }

    public float Momentum { get; }

    /// <summary>ReLU applied in the same kernels (forward and backward): true for <see cref="BatchNormRelu"/>.</summary>
    public bool AppliesRelu { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    private ArrayView<float> Mean => _scratch.View.SubView(0, Channels);

    private ArrayView<float> InvStd => _scratch.View.SubView(Channels, Channels);

    private ArrayView<float> Sums => _scratch.View.SubView(2L * Channels, 2L * Channels);

    public Shape OutputShape(Shape input)
    {
        if (input.C != Channels)
        {
            throw new ArgumentException($"{Name}: expected {Channels} channels, but got input {input}");
        }

        return input;
    }

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        _y.EnsureShape(OutputShape(x.Shape));
        _dims = new BatchNormDims(x.Shape.N, Channels, x.Shape.H * x.Shape.W, Epsilon, Momentum, AppliesRelu);
        _x = x;
        if (tape.Pass.IsTraining)
        {
            _kernels.ForwardTraining(_dims, Buffers(x));
        }
        else
        {
            _kernels.ForwardInference(_dims, Buffers(x));
        }

        tape.Record(this, x, _y);
        return _y;
    }

    public void Backward() => _kernels.Backward(_dims, Buffers(_x!));

    private BatchNormBuffers Buffers(Tensor x) => new()
    {
        X = x.View,
        Y = _y.View,
        Gamma = _gamma.Tensor.View,
        Beta = _beta.Tensor.View,
        Mean = Mean,
        InvStd = InvStd,
        MovingMean = _movingMean.Tensor.View,
        MovingVar = _movingVar.Tensor.View,
        Dy = _y.Grad,
        Dx = x.RequiresGrad ? x.Grad : default,
        DGamma = _gamma.Tensor.Grad,
        DBeta = _beta.Tensor.Grad,
        Sums = Sums,
    };

    public void Dispose()
    {
        _y.Dispose();
        _scratch.Dispose();
        GC.SuppressFinalize(this);
    }
}
