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
        double mu = ChannelReduce.GroupSum(shared, Sum(d, c, p.X)) / m;
        double variance = ChannelReduce.GroupSum(shared, SquaredDeviations(d, c, p.X, mu)) / m;
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
        for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
        {
            var x = Read(p.X, q);
            p.Y[q.A.Offset] = Normalized(x.X, mean, rs, gamma, beta, d.Relu);
            Write(p.Y, q.B, Normalized(x.Y, mean, rs, gamma, beta, d.Relu));
            Write(p.Y, q.C, Normalized(x.Z, mean, rs, gamma, beta, d.Relu));
            Write(p.Y, q.D, Normalized(x.W, mean, rs, gamma, beta, d.Relu));
        }
    }

    /// <summary>This thread's share of Σx over channel c (in the plain walk's order).</summary>
    private static double Sum(BatchNormDims d, int c, ArrayView<float> data)
    {
        double sum = 0;
        for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
        {
            var x = Read(data, q);
            sum += x.X;
            sum += q.B.Valid ? x.Y : 0.0;
            sum += q.C.Valid ? x.Z : 0.0;
            sum += q.D.Valid ? x.W : 0.0;
        }

        return sum;
    }

    /// <summary>This thread's share of Σ(x − μ)² over channel c (in the plain walk's order).</summary>
    private static double SquaredDeviations(BatchNormDims d, int c, ArrayView<float> data, double mu)
    {
        double sq = 0;
        for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
        {
            var x = Read(data, q);
            sq += Square(x.X - mu);
            sq += q.B.Valid ? Square(x.Y - mu) : 0.0;
            sq += q.C.Valid ? Square(x.Z - mu) : 0.0;
            sq += q.D.Valid ? Square(x.W - mu) : 0.0;
        }

        return sq;
    }

    /// <summary>The four values of <paramref name="q"/> (0 where a position is past the channel's end), all loads issued before any use.</summary>
    private static Float4 Read(ArrayView<float> data, ChannelCursor4 q) => new()
    {
        X = data[q.A.Offset],
        Y = q.B.Valid ? data[q.B.Offset] : 0f,
        Z = q.C.Valid ? data[q.C.Offset] : 0f,
        W = q.D.Valid ? data[q.D.Offset] : 0f,
    };

    private static void Write(ArrayView<float> data, ChannelCursor at, float value)
    {
        if (at.Valid)
        {
            data[at.Offset] = value;
        }
    }

    private static double Square(double v) => v * v;

    private static float Normalized(float x, float mean, float rs, float gamma, float beta, int relu)
    {
        float v = ((x - mean) * rs * gamma) + beta;
        return relu != 0 && v < 0f ? 0f : v;
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
        for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
        {
            var g = MaskedGrad(p, d, q);
            var x = Read(p.X, q);
            sdy += g.X;
            sdyx += g.X * (x.X - mu) * rs;
            sdy += q.B.Valid ? g.Y : 0.0;
            sdyx += q.B.Valid ? g.Y * (x.Y - mu) * rs : 0.0;
            sdy += q.C.Valid ? g.Z : 0.0;
            sdyx += q.C.Valid ? g.Z * (x.Z - mu) * rs : 0.0;
            sdy += q.D.Valid ? g.W : 0.0;
            sdyx += q.D.Valid ? g.W * (x.W - mu) * rs : 0.0;
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
            for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
            {
                var g = MaskedGrad(p, d, q);
                var x = Read(p.X, q);
                p.Dx[q.A.Offset] = InputGrad(g.X, x.X, mu, rs, scale, m, sum0, sum1);
                Write(p.Dx, q.B, InputGrad(g.Y, x.Y, mu, rs, scale, m, sum0, sum1));
                Write(p.Dx, q.C, InputGrad(g.Z, x.Z, mu, rs, scale, m, sum0, sum1));
                Write(p.Dx, q.D, InputGrad(g.W, x.W, mu, rs, scale, m, sum0, sum1));
            }
        }
    }

    /// <summary>dy at the four positions, zeroed where the fused ReLU's output was not positive (dy and y both loaded up front).</summary>
    private static Float4 MaskedGrad(BatchNormBuffers p, BatchNormDims d, ChannelCursor4 q)
    {
        var g = Read(p.Dy, q);
        if (d.Relu != 0)
        {
            var y = Read(p.Y, q);
            g.X = y.X <= 0f ? 0f : g.X;
            g.Y = y.Y <= 0f ? 0f : g.Y;
            g.Z = y.Z <= 0f ? 0f : g.Z;
            g.W = y.W <= 0f ? 0f : g.W;
        }

        return g;
    }

    private static float InputGrad(float g, float x, float mu, float rs, float scale, float m, float sum0, float sum1)
    {
        float xhat = (x - mu) * rs;
        return scale * ((m * g) - sum0 - (xhat * sum1));
    }
}
