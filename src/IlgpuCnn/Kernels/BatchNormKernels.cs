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
//                    dx = γ·invstd/M · (M·dy − Σdy − x̂·Σdy·x̂)
// forward saves mean and invstd for backward ("cache the statistics for the backward pass").
// Fused ReLU (dims.Relu = 1): y = max(0, γ·x̂ + β) in the same pass, and backward first masks dy
// by y > 0 — one kernel instead of two and one read/write of the activation fewer each way.

/// <summary>The batch-norm kernels of one device, loaded once.</summary>
public sealed class BatchNormKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<KernelConfig, BatchNormDims, BatchNormBuffers> _stats;
    private readonly Action<Index1D, BatchNormDims, BatchNormBuffers> _inferenceStats;
    private readonly Action<Index1D, BatchNormDims, BatchNormBuffers> _normalize;
    private readonly Action<KernelConfig, BatchNormDims, BatchNormBuffers> _backwardSums;

    private BatchNormKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _stats = acc.LoadStreamKernel<BatchNormDims, BatchNormBuffers>(StatsKernel);
        _inferenceStats = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, BatchNormBuffers>(InferenceStatsKernel);
        _normalize = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, BatchNormBuffers>(NormalizeKernel);
        _backwardSums = acc.LoadStreamKernel<BatchNormDims, BatchNormBuffers>(BackwardSumsKernel);
    }

    public static BatchNormKernels For(ComputeDevice device) => device.Kernels(d => new BatchNormKernels(d));

    /// <summary>Training: batch statistics into Mean/InvStd, moving statistics updated, Y normalised (one launch).</summary>
    public void ForwardTraining(BatchNormDims d, BatchNormBuffers p) => _stats(ChannelReduce.Config(_device, d.C), d, p);

    /// <summary>Inference: moving statistics (copied into Mean/InvStd), Y normalised.</summary>
    public void ForwardInference(BatchNormDims d, BatchNormBuffers p)
    {
        _inferenceStats(d.C, d, p);
        Normalize(d, p);
    }

    /// <summary>dγ, dβ (accumulated) and dx (overwritten; skipped when empty) in one launch, from the statistics the forward pass saved.</summary>
    public void Backward(BatchNormDims d, BatchNormBuffers p)
    {
        _backwardSums(ChannelReduce.Config(_device, d.C), d, p);
    }

    private void Normalize(BatchNormDims d, BatchNormBuffers p)
    {
        int threads = Launch.Threads(_device, d.Length);
        _normalize(threads, d.WithThreads(threads), p);
    }

    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void StatsKernel(BatchNormDims d, BatchNormBuffers p)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        int c = Grid.IdxX;
        int m = d.N * d.HW;
        double sum = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            sum += p.X[it.Offset];
        }

        double mu = ChannelReduce.GroupSum(shared, sum) / m;
        double sq = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            double v = p.X[it.Offset] - mu;
            sq += v * v;
        }

        double variance = ChannelReduce.GroupSum(shared, sq) / m;
        float mean = (float)mu;
        float rs = 1f / XMath.Sqrt((float)variance + d.Epsilon);
        if (Group.IdxX == 0)
        {
            p.Mean[c] = mean;
            p.InvStd[c] = rs;
            p.MovingMean[c] = d.Momentum * p.MovingMean[c] + (1f - d.Momentum) * mean;
            p.MovingVar[c] = d.Momentum * p.MovingVar[c] + (1f - d.Momentum) * (float)variance;
        }

        // Normalise this channel in the same launch (every thread has the group's totals).
        float gamma = p.Gamma[c];
        float beta = p.Beta[c];
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            float v = ((p.X[it.Offset] - mean) * rs * gamma) + beta;
            p.Y[it.Offset] = d.Relu != 0 && v < 0f ? 0f : v;
        }
    }

    [Kernel]
    internal static void InferenceStatsKernel(Index1D c, BatchNormDims d, BatchNormBuffers p)
    {
        p.Mean[c] = p.MovingMean[c];
        p.InvStd[c] = 1f / XMath.Sqrt(p.MovingVar[c] + d.Epsilon);
    }

    [Kernel]
    internal static void NormalizeKernel(Index1D index, BatchNormDims d, BatchNormBuffers p)
    {
        int length = (int)d.Length;
        for (int i = index.X; i < length; i += d.Threads)
        {
            int c = d.Channel(i);
            float v = ((p.X[i] - p.Mean[c]) * p.InvStd[c] * p.Gamma[c]) + p.Beta[c];
            p.Y[i] = d.Relu != 0 && v < 0f ? 0f : v;
        }
    }

    /// <summary>Per channel: Σdy and Σdy·x̂ into Sums[c], Sums[C + c]; dβ, dγ accumulated; then dx of the channel.</summary>
    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void BackwardSumsKernel(BatchNormDims d, BatchNormBuffers p)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        int c = Grid.IdxX;
        float mu = p.Mean[c];
        float rs = p.InvStd[c];
        double sdy = 0;
        double sdyx = 0;
        for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
        {
            int j = it.Offset;
            float g = d.Relu != 0 && p.Y[j] <= 0f ? 0f : p.Dy[j];
            sdy += g;
            sdyx += g * (p.X[j] - mu) * rs;
        }

        double totalDy = ChannelReduce.GroupSum(shared, sdy);
        double totalDyX = ChannelReduce.GroupSum(shared, sdyx);
        float sum0 = (float)totalDy;
        float sum1 = (float)totalDyX;
        if (Group.IdxX == 0)
        {
            p.Sums[c] = sum0;
            p.Sums[d.C + c] = sum1;
            p.DBeta[c] += sum0;
            p.DGamma[c] += sum1;
        }

        // dx of this channel in the same launch (overwritten: an activation gradient has one writer).
        if (p.Dx.Length > 0)
        {
            float m = d.N * d.HW;
            float scale = p.Gamma[c] * rs / m;
            for (var it = new ChannelCursor(d, c, Group.IdxX, Group.DimX); it.Valid; it.Next())
            {
                int j = it.Offset;
                float xhat = (p.X[j] - mu) * rs;
                float g = d.Relu != 0 && p.Y[j] <= 0f ? 0f : p.Dy[j];
                p.Dx[j] = scale * ((m * g) - sum0 - (xhat * sum1));
            }
        }
    }
}
