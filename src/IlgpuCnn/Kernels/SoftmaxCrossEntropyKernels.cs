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
// One launch: a thread per row, then the group that finishes last (a counter, no atomics on the
// sums) adds Σloss and Σcorrect in row order — the rows' values staged through shared memory a
// group at a time, one thread adding them: deterministic, bit-identical to a plain loop over the
// rows, and nothing can spin on a NaN (a float atomic on ILGPU's CPU accelerator does, see
// FloatAtomic). The counter goes back to 0 for the next launch (zeroed once, when allocated).
// Each row's loops read 4 logits per trip, all loads before any use, and use them in class order.
// backward: dz[n,k] = dloss · (p[n,k] − [k = label_n]) / N

/// <summary>The fused softmax-cross-entropy kernels of one device, loaded once.</summary>
public sealed class SoftmaxCrossEntropyKernels
{
    /// <summary>Threads per group on a GPU (rows per group; the last group's ordered sum stages this many rows at a time).</summary>
    public const int MaxGroup = 128;

    private readonly ComputeDevice _device;
    private readonly Action<KernelConfig, int, int, SoftmaxCrossEntropyBuffers> _forward;
    private readonly Action<Index1D, int, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>> _backward;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _counter;

    private SoftmaxCrossEntropyKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forward = acc.LoadStreamKernel<int, int, SoftmaxCrossEntropyBuffers>(ForwardKernel);
        _backward = acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(BackwardKernel);
        _counter = acc.Allocate1D<int>(1);
        device.Zero<int>(_counter.View);
    }

    public static SoftmaxCrossEntropyKernels For(ComputeDevice device) => device.Kernels(d => new SoftmaxCrossEntropyKernels(d));

    /// <summary>Running sums kept on the device: [Σ loss, Σ correct, batches summed while Σ loss was finite].</summary>
    public const int MetricCount = 3;

    /// <summary>Rows per group on <paramref name="device"/>: <see cref="ChannelReduce.GroupSize"/> (1 on the CPU accelerator, 32 on a GPU-shaped one, a PoCL device's group), at most <see cref="MaxGroup"/>.</summary>
    public static int GroupSize(ComputeDevice device) => Math.Min(ChannelReduce.GroupSize(device), MaxGroup);

    /// <summary>
    /// Probabilities, per-sample losses and hits (<paramref name="sampleLoss"/>,
    /// <paramref name="sampleCorrect"/>: N each), the mean loss, and the running sums
    /// (<paramref name="metrics"/>: <see cref="MetricCount"/> values, accumulated on the device), in one launch.
    /// </summary>
    public void Forward(int n, int k, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> probs, ArrayView<float> sampleLoss, ArrayView<float> sampleCorrect, ArrayView<float> loss, ArrayView<float> metrics)
    {
        int group = GroupSize(_device);
        var buffers = new SoftmaxCrossEntropyBuffers(logits, labels, probs, sampleLoss, sampleCorrect, loss, metrics, _counter.View);
        _forward(new KernelConfig((n + group - 1) / group, group), n, k, buffers);
    }

    public void Backward(int n, int k, ArrayView<float> probs, ArrayView<int> labels, ArrayView<float> dloss, ArrayView<float> dlogits)
    {
        int threads = Launch.Threads(_device, (long)n * k);
        _backward(threads, threads, n, k, probs, labels, dloss, dlogits);
    }

    [Kernel(Grouped = true, GroupSize = MaxGroup)]
    internal static void ForwardKernel(int n, int k, SoftmaxCrossEntropyBuffers p)
    {
        int row = (Grid.IdxX * Group.DimX) + Group.IdxX;
        if (row < n)
        {
            Row(row, k, p);
        }

        var flag = SharedMemory.Allocate<int>(1);
        var losses = SharedMemory.Allocate<float>(MaxGroup);
        var hits = SharedMemory.Allocate<float>(MaxGroup);
        if (LastGroup(p.Counter, flag))
        {
            Sums(n, p, losses, hits);
        }
    }

    /// <summary>One row: probabilities, loss and hit (the loops in class order, 4 logits loaded per trip).</summary>
    private static void Row(int row, int k, SoftmaxCrossEntropyBuffers p)
    {
        long b = (long)row * k;
        float max = MaxOf(p.Logits, b, k, out int arg);
        float sum = SumExp(p.Logits, b, k, max);
        float lse = max + XMath.Log(sum);
        int label = p.Labels[row];
        float l = lse - p.Logits[b + label];
        WriteProbs(p.Logits, p.Probs, b, k, lse);
        p.SampleLoss[row] = l;
        p.SampleCorrect[row] = arg == label ? 1f : 0f;
    }

    /// <summary>max_j z[b + j] and its first position, comparing in class order.</summary>
    private static float MaxOf(ArrayView<float> z, long b, int k, out int arg)
    {
        float max = z[b];
        arg = 0;
        int last = k - 1;
        for (int j = 1; j < k; j += 4)
        {
            float v0 = z[b + j];
            float v1 = z[b + (j + 1 < k ? j + 1 : last)];
            float v2 = z[b + (j + 2 < k ? j + 2 : last)];
            float v3 = z[b + (j + 3 < k ? j + 3 : last)];
            Take(ref max, ref arg, v0, j, true);
            Take(ref max, ref arg, v1, j + 1, j + 1 < k);
            Take(ref max, ref arg, v2, j + 2, j + 2 < k);
            Take(ref max, ref arg, v3, j + 3, j + 3 < k);
        }

        return max;
    }

    private static void Take(ref float max, ref int arg, float v, int j, bool valid)
    {
        if (valid && v > max)
        {
            max = v;
            arg = j;
        }
    }

    /// <summary>Σ_j e^(z[b + j] − max), added in class order.</summary>
    private static float SumExp(ArrayView<float> z, long b, int k, float max)
    {
        float sum = 0f;
        int last = k - 1;
        for (int j = 0; j < k; j += 4)
        {
            float v0 = z[b + j];
            float v1 = z[b + (j + 1 < k ? j + 1 : last)];
            float v2 = z[b + (j + 2 < k ? j + 2 : last)];
            float v3 = z[b + (j + 3 < k ? j + 3 : last)];
            sum += XMath.Exp(v0 - max);
            sum += j + 1 < k ? XMath.Exp(v1 - max) : 0f;
            sum += j + 2 < k ? XMath.Exp(v2 - max) : 0f;
            sum += j + 3 < k ? XMath.Exp(v3 - max) : 0f;
        }

        return sum;
    }

    /// <summary>p[b + j] = e^(z[b + j] − lse).</summary>
    private static void WriteProbs(ArrayView<float> z, ArrayView<float> probs, long b, int k, float lse)
    {
        int last = k - 1;
        for (int j = 0; j < k; j += 4)
        {
            float v0 = z[b + j];
            float v1 = z[b + (j + 1 < k ? j + 1 : last)];
            float v2 = z[b + (j + 2 < k ? j + 2 : last)];
            float v3 = z[b + (j + 3 < k ? j + 3 : last)];
            probs[b + j] = XMath.Exp(v0 - lse);
            if (j + 3 < k)
            {
                probs[b + j + 1] = XMath.Exp(v1 - lse);
                probs[b + j + 2] = XMath.Exp(v2 - lse);
                probs[b + j + 3] = XMath.Exp(v3 - lse);
            }
            else
            {
                WriteTail(probs, b, j, k, v1, v2, lse);
            }
        }
    }

    /// <summary>The last trip's positions j + 1, j + 2 where they are inside the row (j + 3 is not).</summary>
    private static void WriteTail(ArrayView<float> probs, long b, int j, int k, float v1, float v2, float lse)
    {
        if (j + 1 < k)
        {
            probs[b + j + 1] = XMath.Exp(v1 - lse);
        }

        if (j + 2 < k)
        {
            probs[b + j + 2] = XMath.Exp(v2 - lse);
        }
    }

    /// <summary>Counts this group in (after its rows' writes are visible device-wide); true in the group that arrived last.</summary>
    private static bool LastGroup(ArrayView<int> counter, ArrayView<int> flag)
    {
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (Group.IdxX == 0)
        {
            flag[0] = Atomic.Add(ref counter[0], 1) == Grid.DimX - 1 ? 1 : 0;
        }

        Group.Barrier();
        bool last = flag[0] != 0;
        if (last)
        {
            MemoryFence.DeviceLevel();
        }

        return last;
    }

    /// <summary>The last group: Σloss and Σcorrect in row order (staged a group at a time), the mean loss and the running sums; the counter back to 0.</summary>
    private static void Sums(int n, SoftmaxCrossEntropyBuffers p, ArrayView<float> losses, ArrayView<float> hits)
    {
        int t = Group.IdxX;
        float sum = 0f;
        float correct = 0f;
        for (int c0 = 0; c0 < n; c0 += Group.DimX)
        {
            int i = c0 + t < n ? c0 + t : n - 1;
            losses[t] = p.SampleLoss[i];
            hits[t] = p.SampleCorrect[i];
            Group.Barrier();
            if (t == 0)
            {
                AddInOrder(losses, hits, n - c0 < Group.DimX ? n - c0 : Group.DimX, ref sum, ref correct);
            }

            Group.Barrier();
        }

        if (t == 0)
        {
            Publish(n, sum, correct, p);
        }
    }

    /// <summary>sum += losses[0..count), correct += hits[0..count), in order, four shared loads per trip.</summary>
    private static void AddInOrder(ArrayView<float> losses, ArrayView<float> hits, int count, ref float sum, ref float correct)
    {
        int last = count - 1;
        for (int j = 0; j < count; j += 4)
        {
            int j1 = j + 1 < count ? j + 1 : last, j2 = j + 2 < count ? j + 2 : last, j3 = j + 3 < count ? j + 3 : last;
            float l0 = losses[j], l1 = losses[j1], l2 = losses[j2], l3 = losses[j3];
            float h0 = hits[j], h1 = hits[j1], h2 = hits[j2], h3 = hits[j3];
            sum += l0;
            correct += h0;
            if (j + 1 < count)
            {
                sum += l1;
                correct += h1;
            }

            if (j + 2 < count)
            {
                sum += l2;
                correct += h2;
            }

            if (j + 3 < count)
            {
                sum += l3;
                correct += h3;
            }
        }
    }

    /// <summary>The mean loss and the running sums; the counter back to 0 for the next launch.</summary>
    private static void Publish(int n, float sum, float correct, SoftmaxCrossEntropyBuffers p)
    {
        p.Loss[0] = sum / n;
        float total = p.Metrics[0] + sum;
        p.Metrics[0] = total;
        p.Metrics[1] += correct;
        if (total - total == 0f)
        {
            p.Metrics[2] += 1f; // x − x is 0 exactly when x is finite
        }

        p.Counter[0] = 0;
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
