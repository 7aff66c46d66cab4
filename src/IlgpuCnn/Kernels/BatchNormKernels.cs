using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Batch normalisation over (N, H, W) per channel C of an NCHW tensor (a dense layer's (N, C) is
// (N, C, 1, 1)). M = N·H·W values per channel. Keras semantics: ε inside the root, biased batch
// variance, moving = momentum·moving + (1 − momentum)·batch.
//   x, y, dy, dx  (N, C, H, W)     γ, β, mean, invstd, moving mean/var, sums  (C)
// training forward:  mean = Σx/M;  var = Σ(x−mean)²/M;  invstd = 1/√(var+ε);  y = γ·(x−mean)·invstd + β
// inference forward: the same with moving mean/var
// backward:          x̂ = (x−mean)·invstd;  dβ += Σdy;  dγ += Σdy·x̂;
//                    dx += γ·invstd/M · (M·dy − Σdy − x̂·Σdy·x̂)
// forward saves mean and invstd for backward ("cache the statistics for the backward pass").
// Fused ReLU (dims.Relu = 1): y = max(0, γ·x̂ + β) in the same pass, and backward first masks dy
// by y > 0 — one kernel instead of two and one read/write of the activation fewer each way.

/// <summary>The batch-norm kernels of one device, loaded once.</summary>
public sealed class BatchNormKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<KernelConfig, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _stats;
    private readonly Action<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _inferenceStats;
    private readonly Action<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _normalize;
    private readonly Action<KernelConfig, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardSums;
    private readonly Action<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardData;

    private BatchNormKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _stats = acc.LoadStreamKernel<BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(StatsKernel);
        _inferenceStats = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(InferenceStatsKernel);
        _normalize = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(NormalizeKernel);
        _backwardSums = acc.LoadStreamKernel<BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardSumsKernel);
        _backwardData = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDataKernel);
    }

    public static BatchNormKernels For(ComputeDevice device) => device.Kernels(d => new BatchNormKernels(d));

    /// <summary>Training: batch statistics into mean/invstd, moving statistics updated, y normalised.</summary>
    public void ForwardTraining(BatchNormDims d, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> movingMean, ArrayView<float> movingVar, ArrayView<float> y)
    {
        _stats(ChannelReduce.Config(_device, d.C), d, x, mean, invstd, movingMean, movingVar);
        Normalize(d, x, gamma, beta, mean, invstd, y);
    }

    /// <summary>Inference: moving statistics (copied into mean/invstd), y normalised.</summary>
    public void ForwardInference(BatchNormDims d, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> movingMean, ArrayView<float> movingVar, ArrayView<float> y)
    {
        _inferenceStats(d.C, d, mean, invstd, movingMean, movingVar);
        Normalize(d, x, gamma, beta, mean, invstd, y);
    }

    /// <summary>
    /// dγ, dβ and dx (all accumulated); <paramref name="sums"/> is 2·C scratch; <paramref name="y"/>
    /// is the forward output (read only when ReLU is fused, to mask dy).
    /// </summary>
    public void Backward(BatchNormDims d, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> gamma, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> sums, ArrayView<float> dx)
    {
        _backwardSums(ChannelReduce.Config(_device, d.C), d, x, y, dy, mean, invstd, dgamma, dbeta, sums);
        if (dx.Length > 0)
        {
            int threads = Launch.Threads(_device, d.Length);
            _backwardData(threads, d.WithThreads(threads), x, y, dy, gamma, mean, invstd, sums, dx);
        }
    }

    private void Normalize(BatchNormDims d, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> y)
    {
        int threads = Launch.Threads(_device, d.Length);
        _normalize(threads, d.WithThreads(threads), x, gamma, beta, mean, invstd, y);
    }

    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void StatsKernel(BatchNormDims d, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> movingMean, ArrayView<float> movingVar)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        int c = Grid.IdxX;
        int m = d.N * d.HW;
        double sum = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            sum += x[it.Offset];
        }

        double mu = ChannelReduce.GroupSum(shared, sum) / m;
        double sq = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            double v = x[it.Offset] - mu;
            sq += v * v;
        }

        double variance = ChannelReduce.GroupSum(shared, sq) / m;
        if (Group.IdxX == 0)
        {
            mean[c] = (float)mu;
            invstd[c] = 1f / XMath.Sqrt((float)variance + d.Epsilon);
            movingMean[c] = d.Momentum * movingMean[c] + (1f - d.Momentum) * (float)mu;
            movingVar[c] = d.Momentum * movingVar[c] + (1f - d.Momentum) * (float)variance;
        }
    }

    [Kernel]
    internal static void InferenceStatsKernel(Index1D c, BatchNormDims d, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> movingMean, ArrayView<float> movingVar)
    {
        mean[c] = movingMean[c];
        invstd[c] = 1f / XMath.Sqrt(movingVar[c] + d.Epsilon);
    }

    [Kernel]
    internal static void NormalizeKernel(Index1D index, BatchNormDims d, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> y)
    {
        int length = (int)d.Length;
        for (int i = index.X; i < length; i += d.Threads)
        {
            int c = d.Channel(i);
            float v = ((x[i] - mean[c]) * invstd[c] * gamma[c]) + beta[c];
            y[i] = d.Relu != 0 && v < 0f ? 0f : v;
        }
    }

    /// <summary>Per channel: Σdy and Σdy·x̂ into sums[c], sums[C + c]; dβ, dγ accumulated.</summary>
    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void BackwardSumsKernel(BatchNormDims d, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> sums)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        int c = Grid.IdxX;
        float mu = mean[c];
        float rs = invstd[c];
        double sdy = 0;
        double sdyx = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            int j = it.Offset;
            float g = d.Relu != 0 && y[j] <= 0f ? 0f : dy[j];
            sdy += g;
            sdyx += g * (x[j] - mu) * rs;
        }

        double totalDy = ChannelReduce.GroupSum(shared, sdy);
        double totalDyX = ChannelReduce.GroupSum(shared, sdyx);
        if (Group.IdxX == 0)
        {
            sums[c] = (float)totalDy;
            sums[d.C + c] = (float)totalDyX;
            dbeta[c] += (float)totalDy;
            dgamma[c] += (float)totalDyX;
        }
    }

    [Kernel]
    internal static void BackwardDataKernel(Index1D index, BatchNormDims d, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> gamma, ArrayView<float> mean, ArrayView<float> invstd, ArrayView<float> sums, ArrayView<float> dx)
    {
        float m = d.N * d.HW;
        int length = (int)d.Length;
        for (int i = index.X; i < length; i += d.Threads)
        {
            int c = d.Channel(i);
            float rs = invstd[c];
            float xhat = (x[i] - mean[c]) * rs;
            float g = d.Relu != 0 && y[i] <= 0f ? 0f : dy[i];
            dx[i] += gamma[c] * rs / m * ((m * g) - sums[c] - (xhat * sums[d.C + c]));
        }
    }
}

/// <summary>Shapes and constants of one batch-norm launch (passed by value into kernels).</summary>
public readonly struct BatchNormDims
{
    public BatchNormDims(int n, int c, int hw, float epsilon, float momentum, bool relu = false, int threads = 1)
    {
        N = n;
        C = c;
        HW = hw;
        Epsilon = epsilon;
        Momentum = momentum;
        Relu = relu ? 1 : 0;
        Threads = threads;
    }

    public readonly int N;
    public readonly int C;
    public readonly int HW;
    public readonly float Epsilon;
    public readonly float Momentum;

    /// <summary>1: ReLU fused after the normalisation.</summary>
    public readonly int Relu;

    /// <summary>Threads of the grid-stride launch.</summary>
    public readonly int Threads;

    public long Length => (long)N * C * HW;

    public BatchNormDims WithThreads(int threads) => new(N, C, HW, Epsilon, Momentum, Relu != 0, threads);

    /// <summary>Channel of flat NCHW index i (tensors under 2³¹ elements).</summary>
    public int Channel(int i) => i / HW % C;
}

/// <summary>
/// Walks the values of channel c of an NCHW tensor — (n, hw) pairs — from position
/// <c>start</c> in steps of <c>step</c>, without a division per value.
/// </summary>
public struct ChannelCursor
{
    private readonly int _hw;
    private readonly int _planeStride;
    private readonly int _step;
    private readonly int _n;
    private int _sample;
    private int _r;

    public ChannelCursor(BatchNormDims d, int c, int start, int step)
    {
        _hw = d.HW;
        _planeStride = d.C * d.HW;
        _step = step;
        _n = d.N;
        _sample = start / d.HW;
        _r = start - _sample * d.HW;
        Offset = _sample * _planeStride + c * d.HW + _r;
    }

    /// <summary>Flat index of the current value.</summary>
    public int Offset { get; private set; }

    public readonly bool Valid => _sample < _n;

    public void Next()
    {
        _r += _step;
        Offset += _step;
        while (_r >= _hw)
        {
            _r -= _hw;
            _sample++;
            Offset += _planeStride - _hw;
        }
    }
}
