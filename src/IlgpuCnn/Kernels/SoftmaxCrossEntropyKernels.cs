using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Softmax + sparse categorical cross-entropy, fused through log-softmax, mean over the batch.
// N = batch, K = classes.   z logits (N, K)   labels (N)   p probabilities (N, K)   loss (1)
// forward:  m = max_k z;  lse = m + log Σ_k e^(z−m);  loss_n = lse − z[label];  p = e^(z−lse)
//           loss = Σ_n loss_n / N; metrics[0] += Σ_n loss_n, metrics[1] += #(argmax z = label),
//           metrics[2] += 1 while metrics[0] is still finite (the batches before a loss became NaN/∞)
// The sums are added by one thread, in row order, without atomics: deterministic, and nothing can
// spin on a NaN (a float atomic on ILGPU's CPU accelerator does, see FloatAtomic).
// backward: dz[n,k] = dloss · (p[n,k] − [k = label_n]) / N

/// <summary>The fused softmax-cross-entropy kernels of one device, loaded once.</summary>
public sealed class SoftmaxCrossEntropyKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _forward;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _mean;
    private readonly Action<Index1D, int, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>> _backward;

    private SoftmaxCrossEntropyKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forward = acc.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardKernel);
        _mean = acc.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(MeanKernel);
        _backward = acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(BackwardKernel);
    }

    public static SoftmaxCrossEntropyKernels For(ComputeDevice device) => device.Kernels(d => new SoftmaxCrossEntropyKernels(d));

    /// <summary>Running sums kept on the device: [Σ loss, Σ correct, batches summed while Σ loss was finite].</summary>
    public const int MetricCount = 3;

    /// <summary>
    /// Probabilities, per-sample losses and hits (<paramref name="sampleLoss"/>,
    /// <paramref name="sampleCorrect"/>: N each), the mean loss, and the running sums
    /// (<paramref name="metrics"/>: <see cref="MetricCount"/> values, accumulated on the device).
    /// </summary>
    public void Forward(int n, int k, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> probs, ArrayView<float> sampleLoss, ArrayView<float> sampleCorrect, ArrayView<float> loss, ArrayView<float> metrics)
    {
        _forward(n, k, logits, labels, probs, sampleLoss, sampleCorrect);
        _mean(1, n, sampleLoss, sampleCorrect, loss, metrics);
    }

    public void Backward(int n, int k, ArrayView<float> probs, ArrayView<int> labels, ArrayView<float> dloss, ArrayView<float> dlogits)
    {
        int threads = Launch.Threads(_device, (long)n * k);
        _backward(threads, threads, n, k, probs, labels, dloss, dlogits);
    }

    [Kernel]
    internal static void ForwardKernel(Index1D row, int k, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> probs, ArrayView<float> sampleLoss, ArrayView<float> sampleCorrect)
    {
        long b = (long)row.X * k;
        float max = logits[b];
        int arg = 0;
        for (int j = 1; j < k; j++)
        {
            float v = logits[b + j];
            if (v > max)
            {
                max = v;
                arg = j;
            }
        }

        float sum = 0f;
        for (int j = 0; j < k; j++)
        {
            sum += XMath.Exp(logits[b + j] - max);
        }

        float lse = max + XMath.Log(sum);
        int label = labels[row];
        float l = lse - logits[b + label];
        for (int j = 0; j < k; j++)
        {
            probs[b + j] = XMath.Exp(logits[b + j] - lse);
        }

        sampleLoss[row] = l;
        sampleCorrect[row] = arg == label ? 1f : 0f;
    }

    [Kernel]
    internal static void MeanKernel(Index1D index, int n, ArrayView<float> sampleLoss, ArrayView<float> sampleCorrect, ArrayView<float> loss, ArrayView<float> metrics)
    {
        float sum = 0f;
        float correct = 0f;
        for (int i = 0; i < n; i++)
        {
            sum += sampleLoss[i];
            correct += sampleCorrect[i];
        }

        loss[0] = sum / n;
        float total = metrics[0] + sum;
        metrics[0] = total;
        metrics[1] += correct;
        if (total - total == 0f)
        {
            metrics[2] += 1f; // x − x is 0 exactly when x is finite
        }
    }

    [Kernel]
    internal static void BackwardKernel(Index1D index, int threads, int n, int k, ArrayView<float> probs, ArrayView<int> labels, ArrayView<float> dloss, ArrayView<float> dlogits)
    {
        float scale = dloss[0] / n;
        long total = (long)n * k;
        for (long i = index.X; i < total; i += threads)
        {
            int row = (int)(i / k);
            int j = (int)(i - (long)row * k);
            float target = labels[row] == j ? 1f : 0f;
            dlogits[i] = (probs[i] - target) * scale;
        }
    }
}
