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
// Both reductions are one launch of ChannelReduce.Slices groups per channel (ChannelSlices): each
// group reduces a slice of the channel's walk (statistics: the slice's mean, then Σ(x − slice
// mean)²; backward: Σdy and Σdy·x̂), the channel's last group merges the slices in slice order
// (Chan et al.'s pairwise update for the variance) and normalises the channel, or writes its dx.
// One slice — the CPU accelerator, small channels — is the plain two-pass reduction.
// Fused ReLU (dims.Relu = 1): y = max(0, γ·x̂ + β) in the same pass, and backward first masks dy
// by y > 0 — one kernel instead of two and one read/write of the activation fewer each way.

/// <summary>The batch-norm kernels of one device, loaded once.</summary>
public sealed class BatchNormKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<KernelConfig, BatchNormDims, BatchNormBuffers, ChannelSlices> _stats;
    private readonly Action<Index1D, BatchNormDims, BatchNormBuffers> _inferenceStats;
    private readonly Action<Index1D, BatchNormDims, BatchNormBuffers> _normalize;
    private readonly Action<KernelConfig, BatchNormDims, BatchNormBuffers, ChannelSlices> _backwardSums;
    private readonly ChannelSliceBuffers _slices;

    private BatchNormKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _stats = acc.LoadStreamKernel<BatchNormDims, BatchNormBuffers, ChannelSlices>(StatsKernel);
        _inferenceStats = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, BatchNormBuffers>(InferenceStatsKernel);
        _normalize = acc.LoadAutoGroupedStreamKernel<Index1D, BatchNormDims, BatchNormBuffers>(NormalizeKernel);
        _backwardSums = acc.LoadStreamKernel<BatchNormDims, BatchNormBuffers, ChannelSlices>(BackwardSumsKernel);
        _slices = new ChannelSliceBuffers(device);
    }

    public static BatchNormKernels For(ComputeDevice device) => device.Kernels(d => new BatchNormKernels(d));

    /// <summary>Training: batch statistics into Mean/InvStd, moving statistics updated, Y normalised (one launch; <paramref name="planFor"/>: the figures that decide the slices, default this device's).</summary>
    public void ForwardTraining(BatchNormDims d, BatchNormBuffers p, DeviceFigures? planFor = null)
    {
        var (config, slices) = PerChannel(d, planFor);
        _stats(config, d, p, slices);
    }

    /// <summary>Inference: moving statistics (copied into Mean/InvStd), Y normalised.</summary>
    public void ForwardInference(BatchNormDims d, BatchNormBuffers p)
    {
        _inferenceStats(d.C, d, p);
        Normalize(d, p);
    }

    /// <summary>dγ, dβ (accumulated) and dx (overwritten; skipped when empty) in one launch, from the statistics the forward pass saved.</summary>
    public void Backward(BatchNormDims d, BatchNormBuffers p, DeviceFigures? planFor = null)
    {
        var (config, slices) = PerChannel(d, planFor);
        _backwardSums(config, d, p, slices);
    }

    /// <summary>A per-channel launch: groups of <see cref="ChannelReduce.Fit"/> threads, <see cref="ChannelReduce.Slices"/> per channel (grid y).</summary>
    private (KernelConfig Config, ChannelSlices Slices) PerChannel(BatchNormDims d, DeviceFigures? planFor)
    {
        int m = d.N * d.HW;
        int group = ChannelReduce.Fit(ChannelReduce.GroupSize(_device), m);
        int slices = ChannelReduce.Slices(planFor ?? _device.Figures, d.C, m, group);
        return (new KernelConfig(new Index2D(d.C, slices), new Index2D(group, 1)), _slices.For(d.C, m, slices));
    }

    private void Normalize(BatchNormDims d, BatchNormBuffers p)
    {
        int threads = Launch.Threads(_device, d.Length);
        _normalize(threads, d.WithThreads(threads), p);
    }

    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void StatsKernel(BatchNormDims d, BatchNormBuffers p, ChannelSlices s)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        var flag = SharedMemory.Allocate<int>(1);
        int c = Grid.IdxX;
        int m = d.N * d.HW;
        int lo = Grid.IdxY * s.Length;
        int hi = lo + s.Size(Grid.IdxY, m);
        double mu = ChannelReduce.GroupSum(shared, Sum(d, c, p.X, lo, hi)) / (hi - lo);
        double m2 = ChannelReduce.GroupSum(shared, SquaredDeviations(d, c, p.X, mu, lo, hi));
        if (s.Count > 1)
        {
            if (!s.Last(c, mu, m2, flag))
            {
                return;
            }

            s.Stage(c, shared);
            (mu, m2) = Combined(s, shared, m);
            s.Reset(c);
        }

        NormalizeChannel(d, p, c, mu, m2 / m);
    }

    /// <summary>The channel's mean and Σ(x − mean)² from its slices' (mean, Σ(x − slice mean)²), staged in <paramref name="shared"/>, merged in slice order (Chan et al.).</summary>
    private static (double Mean, double M2) Combined(ChannelSlices s, ArrayView<double> shared, int m)
    {
        double n = s.Size(0, m);
        double mean = shared[0];
        double m2 = shared[1];
        for (int z = 1; z < s.Count; z++)
        {
            double nb = s.Size(z, m);
            double delta = shared[2 * z] - mean;
            double total = n + nb;
            mean += delta * nb / total;
            m2 += shared[(2 * z) + 1] + (delta * delta * n * nb / total);
            n = total;
        }

        return (mean, m2);
    }

    /// <summary>Saves the statistics (thread 0) and normalises the whole channel (every thread has them).</summary>
    private static void NormalizeChannel(BatchNormDims d, BatchNormBuffers p, int c, double mu, double variance)
    {
        float mean = (float)mu;
        float rs = 1f / XMath.Sqrt((float)variance + d.Epsilon);
        if (Group.IdxX == 0)
        {
            p.Mean[c] = mean;
            p.InvStd[c] = rs;
            p.MovingMean[c] = d.Momentum * p.MovingMean[c] + (1f - d.Momentum) * mean;
            p.MovingVar[c] = d.Momentum * p.MovingVar[c] + (1f - d.Momentum) * (float)variance;
        }

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

    /// <summary>This thread's share of Σx over positions [lo, hi) of channel c (in the plain walk's order).</summary>
    private static double Sum(BatchNormDims d, int c, ArrayView<float> data, int lo, int hi)
    {
        double sum = 0;
        for (var q = new ChannelCursor4(d, c, lo + Group.IdxX, Group.DimX, hi); q.Valid; q.Next())
        {
            var x = Read(data, q);
            sum += x.X;
            sum += q.B.Valid ? x.Y : 0.0;
            sum += q.C.Valid ? x.Z : 0.0;
            sum += q.D.Valid ? x.W : 0.0;
        }

        return sum;
    }

    /// <summary>This thread's share of Σ(x − μ)² over positions [lo, hi) of channel c (in the plain walk's order).</summary>
    private static double SquaredDeviations(BatchNormDims d, int c, ArrayView<float> data, double mu, int lo, int hi)
    {
        double sq = 0;
        for (var q = new ChannelCursor4(d, c, lo + Group.IdxX, Group.DimX, hi); q.Valid; q.Next())
        {
            var x = Read(data, q);
            sq += Square(x.X - mu);
            sq += q.B.Valid ? Square(x.Y - mu) : 0.0;
            sq += q.C.Valid ? Square(x.Z - mu) : 0.0;
            sq += q.D.Valid ? Square(x.W - mu) : 0.0;
        }

        return sq;
    }

    /// <summary>The four values of <paramref name="q"/> (0 where a position is past the channel's end), all loads issued before any use; the first is read unguarded unless <paramref name="guardFirst"/> (a step that may lie wholly past the end).</summary>
    private static Float4 Read(ArrayView<float> data, ChannelCursor4 q, bool guardFirst = false) => new()
    {
        X = !guardFirst || q.A.Valid ? data[q.A.Offset] : 0f,
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

    /// <summary>Per channel: Σdy and Σdy·x̂ into Sums[c], Sums[C + c]; dβ, dγ accumulated; then dx of the channel (by the channel's last slice).</summary>
    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void BackwardSumsKernel(BatchNormDims d, BatchNormBuffers p, ChannelSlices s)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        var flag = SharedMemory.Allocate<int>(1);
        int c = Grid.IdxX;
        int lo = Grid.IdxY * s.Length;
        int hi = lo + s.Size(Grid.IdxY, d.N * d.HW);
        float mu = p.Mean[c];
        float rs = p.InvStd[c];
        var (sdy, sdyx) = GradSums(d, p, c, mu, rs, lo, hi);
        double totalDy = ChannelReduce.GroupSum(shared, sdy);
        double totalDyX = ChannelReduce.GroupSum(shared, sdyx);
        if (s.Count > 1)
        {
            if (!s.Last(c, totalDy, totalDyX, flag))
            {
                return;
            }

            s.Stage(c, shared);
            (totalDy, totalDyX) = Summed(s, shared);
            s.Reset(c);
        }

        InputGrads(d, p, c, mu, rs, (float)totalDy, (float)totalDyX);
    }

    /// <summary>
    /// This thread's shares of Σdy and Σdy·x̂ over positions [lo, hi) of channel c (in the plain
    /// walk's order): two steps of the walk per trip (q, then r = q one step on), all their loads
    /// (x, dy, y) issued before the first add, so a trip waits for one round trip for 8 values.
    /// </summary>
    private static (double Dy, double DyX) GradSums(BatchNormDims d, BatchNormBuffers p, int c, float mu, float rs, int lo, int hi)
    {
        double sdy = 0;
        double sdyx = 0;
        for (var q = new ChannelCursor4(d, c, lo + Group.IdxX, Group.DimX, hi); q.Valid; q.Next())
        {
            var r = q;
            r.Next();
            var x = Read(p.X, q); // x's loads first: in flight while the ReLU mask waits for y
            var xr = Read(p.X, r, true);
            var g = MaskedGrad(p, d, q);
            var gr = MaskedGrad(p, d, r, true);
            Accumulate(ref sdy, ref sdyx, q, g, x, mu, rs);
            if (r.Valid)
            {
                Accumulate(ref sdy, ref sdyx, r, gr, xr, mu, rs);
            }

            q = r;
        }

        return (sdy, sdyx);
    }

    /// <summary>Adds the four values of step q (those inside the walk) to Σdy and Σdy·x̂, in walk order.</summary>
    private static void Accumulate(ref double sdy, ref double sdyx, ChannelCursor4 q, Float4 g, Float4 x, float mu, float rs)
    {
        sdy += g.X;
        sdyx += g.X * (x.X - mu) * rs;
        sdy += q.B.Valid ? g.Y : 0.0;
        sdyx += q.B.Valid ? g.Y * (x.Y - mu) * rs : 0.0;
        sdy += q.C.Valid ? g.Z : 0.0;
        sdyx += q.C.Valid ? g.Z * (x.Z - mu) * rs : 0.0;
        sdy += q.D.Valid ? g.W : 0.0;
        sdyx += q.D.Valid ? g.W * (x.W - mu) * rs : 0.0;
    }

    /// <summary>The slices' Σdy and Σdy·x̂, staged in <paramref name="shared"/>, added in slice order.</summary>
    private static (double Dy, double DyX) Summed(ChannelSlices s, ArrayView<double> shared)
    {
        double dy = 0;
        double dyx = 0;
        for (int z = 0; z < s.Count; z++)
        {
            dy += shared[2 * z];
            dyx += shared[(2 * z) + 1];
        }

        return (dy, dyx);
    }

    /// <summary>Saves the sums and accumulates dβ, dγ (thread 0); dx of the whole channel (overwritten: an activation gradient has one writer; skipped when Dx is empty).</summary>
    private static void InputGrads(BatchNormDims d, BatchNormBuffers p, int c, float mu, float rs, float sum0, float sum1)
    {
        if (Group.IdxX == 0)
        {
            p.Sums[c] = sum0;
            p.Sums[d.C + c] = sum1;
            p.DBeta[c] += sum0;
            p.DGamma[c] += sum1;
        }

        if (p.Dx.Length == 0)
        {
            return;
        }

        float m = d.N * d.HW;
        float scale = p.Gamma[c] * rs / m;
        for (var q = new ChannelCursor4(d, c, Group.IdxX, Group.DimX); q.Valid; q.Next())
        {
            var x = Read(p.X, q);
            var g = MaskedGrad(p, d, q);
            p.Dx[q.A.Offset] = InputGrad(g.X, x.X, mu, rs, scale, m, sum0, sum1);
            Write(p.Dx, q.B, InputGrad(g.Y, x.Y, mu, rs, scale, m, sum0, sum1));
            Write(p.Dx, q.C, InputGrad(g.Z, x.Z, mu, rs, scale, m, sum0, sum1));
            Write(p.Dx, q.D, InputGrad(g.W, x.W, mu, rs, scale, m, sum0, sum1));
        }
    }

    /// <summary>dy at the four positions, zeroed where the fused ReLU's output was not positive (dy and y both loaded up front; <paramref name="guardFirst"/>: as <see cref="Read"/>).</summary>
    private static Float4 MaskedGrad(BatchNormBuffers p, BatchNormDims d, ChannelCursor4 q, bool guardFirst = false)
    {
        var g = Read(p.Dy, q, guardFirst);
        if (d.Relu != 0)
        {
            var y = Read(p.Y, q, guardFirst);
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
