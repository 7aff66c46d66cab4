using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Softmax + sparse categorical cross-entropy, mean over the batch, fused (log-softmax). Besides
/// the loss it keeps running sums on the device — Σ loss and Σ correct over the samples seen since
/// <see cref="ResetMetrics"/> — so an epoch's running mean accuracy and loss need no host sync
/// until they are shown.
/// </summary>
public sealed class SoftmaxCrossEntropy : IBackward, IDisposable
{
    private readonly SoftmaxCrossEntropyKernels _kernels;
    private readonly Tensor _loss;
    private readonly Tensor _probs;
    private readonly Tensor _sampleLoss;
    private readonly Tensor _sampleCorrect;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _metrics;
    private readonly float[] _metricsHost = new float[SoftmaxCrossEntropyKernels.MetricCount];
    private Tensor? _logits;
    private ArrayView<int> _labels;

    public SoftmaxCrossEntropy(ComputeDevice device, int classes)
    {
        Classes = classes;
        _kernels = SoftmaxCrossEntropyKernels.For(device);
        _loss = Tensor.Allocate(device, new Shape(1, 1, 1, 1), true, "loss");
        _probs = Tensor.Allocate(device, new Shape(1, classes, 1, 1), false, "probs");
        _sampleLoss = Tensor.Allocate(device, new Shape(1, 1, 1, 1), false, "sample_loss");
        _sampleCorrect = Tensor.Allocate(device, new Shape(1, 1, 1, 1), false, "sample_correct");
        _metrics = device.Accelerator.Allocate1D<float>(SoftmaxCrossEntropyKernels.MetricCount);
        _metrics.MemSetToZero();
    }

    public int Classes { get; }

    /// <summary>Softmax probabilities of the last forward, (N, classes).</summary>
    public Tensor Probabilities => _probs;

    /// <summary>Mean loss of the batch (1 element on the device).</summary>
    public Tensor Forward(Tensor logits, ArrayView<int> labels, GradientTape tape)
    {
        if (logits.Shape.SampleLength != Classes)
        {
            throw new ArgumentException($"loss: expected {Classes} logits per sample, but got {logits.Shape}");
        }

        int n = logits.Shape.N;
        _probs.EnsureShape(new Shape(n, Classes, 1, 1));
        _sampleLoss.EnsureShape(new Shape(n, 1, 1, 1));
        _sampleCorrect.EnsureShape(new Shape(n, 1, 1, 1));
        _kernels.Forward(n, Classes, logits.View, labels.SubView(0, n), _probs.View, _sampleLoss.View, _sampleCorrect.View, _loss.View, _metrics.View);
        _logits = logits;
        _labels = labels;
        tape.Record(this, logits, _loss);
        return _loss;
    }

    public void Backward()
    {
        var z = _logits!;
        if (z.RequiresGrad)
        {
            _kernels.Backward(z.Shape.N, Classes, _probs.View, _labels, _loss.Grad, z.Grad);
        }
    }

    /// <summary>Zeroes the running sums (start of an epoch or of an evaluation).</summary>
    public void ResetMetrics() => _metrics.MemSetToZero();

    /// <summary>Sets the running sums (a resumed, part-done epoch); the finite-batch count starts again at 0.</summary>
    public void SetMetrics(double lossSum, double correct) => _metrics.View.CopyFromCPU([(float)lossSum, (float)correct, 0f]);

    /// <summary>Reads the running sums (synchronises): (Σ loss, Σ correct); also refreshes <see cref="FiniteBatches"/>.</summary>
    public (double LossSum, double Correct) ReadMetrics()
    {
        _metrics.View.CopyToCPU(_metricsHost);
        FiniteBatches = (int)_metricsHost[2];
        return (_metricsHost[0], _metricsHost[1]);
    }

    /// <summary>
    /// As of the last <see cref="ReadMetrics"/>: batches summed since the last reset while Σ loss
    /// was still finite, so a NaN/∞ sum first appeared in batch <c>FiniteBatches + 1</c>.
    /// </summary>
    public int FiniteBatches { get; private set; }

    public void Dispose()
    {
        _metrics.Dispose();
        _sampleCorrect.Dispose();
        _sampleLoss.Dispose();
        _probs.Dispose();
        _loss.Dispose();
    }
}
