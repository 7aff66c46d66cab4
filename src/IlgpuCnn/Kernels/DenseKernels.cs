using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Dense (fully connected), row-major. N = batch, I = in features, O = out features.
//   x (N, I)    w (I, O)  [Keras' kernel layout]    b (O)    y (N, O)
// forward:          y[n,o]  = b[o] + Σ_i x[n,i]·w[i,o]
// backward-data:    dx[n,i] = Σ_o dy[n,o]·w[i,o]
// backward-weights: dw[i,o] += Σ_n x[n,i]·dy[n,o];   db[o] += Σ_n dy[n,o]
// KernelPlanner.Dense picks the body: Small on a GPU (SmallGemm over DenseOperands, K split and the
// slices summed in the kernel; the bias gradient is one extra GEMM row of ones), Simple on the CPU accelerator (one thread per sample
// for the forward and backward-data passes — a row of y or dx —, one per input feature for
// backward-weights — a row of dw; thread 0 also sums db).

/// <summary>The dense-layer kernels of one device, loaded once; each pass launches <see cref="KernelPlanner.Dense"/>'s plan.</summary>
public sealed class DenseKernels
{
    private readonly ComputeDevice _device;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _forwardSimple;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _backwardDataSimple;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _backwardWeightsSimple;
    private readonly Lazy<Action<KernelConfig, SmallGemmDims, DenseOperand, DenseOperand, MatrixOut, SliceSum>> _gemmSmall;
    private readonly Lazy<Action<KernelConfig, SmallGemmDims, DenseOperand, DenseOperand, GradWithBiasOut, SliceSum>> _gradGemmSmall;
    private readonly SliceSumBuffers _sums;

    private DenseKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forwardSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardSimpleKernel));
        _backwardDataSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDataSimpleKernel));
        _backwardWeightsSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardWeightsSimpleKernel));
        _gemmSmall = new(() => acc.LoadStreamKernel<SmallGemmDims, DenseOperand, DenseOperand, MatrixOut, SliceSum>(GemmSmallKernel));
        _gradGemmSmall = new(() => acc.LoadStreamKernel<SmallGemmDims, DenseOperand, DenseOperand, GradWithBiasOut, SliceSum>(GradGemmSmallKernel));
        _sums = new SliceSumBuffers(device);

        // The device's own bodies are compiled now (so no training step compiles anything); the
        // others (tests, benchmarks) on first use.
        if (device.Figures.IsGpu)
        {
            _ = (_gemmSmall.Value, _gradGemmSmall.Value);
        }
        else
        {
            _ = (_forwardSimple.Value, _backwardDataSimple.Value, _backwardWeightsSimple.Value);
        }
    }

    public static DenseKernels For(ComputeDevice device) => device.Kernels(d => new DenseKernels(d));

    /// <summary>y = x·w + b (y overwritten), by the plan for <paramref name="planFor"/> (default: this device's figures).</summary>
    public KernelPlan Forward(int n, int inF, int outF, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, DeviceFigures? planFor = null)
    {
        var plan = KernelPlanner.Dense(KernelPass.Forward, n, inF, outF, planFor ?? _device.Figures);
        _device.NoteLaunch(plan.Kernel);
        if (plan.Body == KernelBody.Simple)
        {
            _forwardSimple.Value(n, n, inF, outF, x, w, b, y);
        }
        else
        {
            _gemmSmall.Value(plan.Config, new(plan), new DenseOperand(x, inF, 1, n), new DenseOperand(w, 1, outF, outF), new MatrixOut(y, b, outF, plan.Store), _sums.For(plan));
        }

        return plan;
    }

    /// <summary>dx = dy·wᵀ (overwritten: an activation gradient has one writer).</summary>
    public KernelPlan BackwardData(int n, int inF, int outF, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, DeviceFigures? planFor = null)
    {
        var plan = KernelPlanner.Dense(KernelPass.BackwardData, n, inF, outF, planFor ?? _device.Figures);
        _device.NoteLaunch(plan.Kernel);
        if (plan.Body == KernelBody.Simple)
        {
            _backwardDataSimple.Value(n, n, inF, outF, dy, w, dx);
        }
        else
        {
            _gemmSmall.Value(plan.Config, new(plan), new DenseOperand(dy, outF, 1, n), new DenseOperand(w, outF, 1, inF), new MatrixOut(dx, default, inF, plan.Store), _sums.For(plan));
        }

        return plan;
    }

    /// <summary>dw += xᵀ·dy; db += Σ_n dy.</summary>
    public KernelPlan BackwardWeights(int n, int inF, int outF, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, DeviceFigures? planFor = null)
    {
        var plan = KernelPlanner.Dense(KernelPass.BackwardWeights, n, inF, outF, planFor ?? _device.Figures, db.Length > 0);
        _device.NoteLaunch(plan.Kernel);
        if (plan.Body == KernelBody.Simple)
        {
            _backwardWeightsSimple.Value(inF, n, inF, outF, x, dy, dw, db);
        }
        else
        {
            _gradGemmSmall.Value(plan.Config, new(plan), new DenseOperand(x, 1, inF, plan.M, inF), new DenseOperand(dy, 1, outF, outF), new GradWithBiasOut(dw, db, inF, outF, plan.Store, GradAddresses.Of(dw, db)), _sums.For(plan));
        }

        return plan;
    }

    /// <summary>The Small body over strided operands (dense forward and backward-data).</summary>
    [Kernel(Grouped = true, GroupSize = SmallGemm.GroupSize)]
    internal static void GemmSmallKernel(SmallGemmDims d, DenseOperand a, DenseOperand b, MatrixOut c, SliceSum sum)
    {
        var sa = SharedMemory.Allocate<Float4>(SmallGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(SmallGemm.TileFloat4s);
        var flag = SharedMemory.Allocate<int>(1);
        SmallGemm.Run(a, b, c, d.M, d.N, d.K, d.Slice, sum, sa, sb, flag);
    }

    /// <summary>The Small body for a weight gradient with its bias gradient as one extra row (dense backward-weights).</summary>
    [Kernel(Grouped = true, GroupSize = SmallGemm.GroupSize)]
    internal static void GradGemmSmallKernel(SmallGemmDims d, DenseOperand a, DenseOperand b, GradWithBiasOut c, SliceSum sum)
    {
        var sa = SharedMemory.Allocate<Float4>(SmallGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(SmallGemm.TileFloat4s);
        var flag = SharedMemory.Allocate<int>(1);
        SmallGemm.Run(a, b, c, d.M, d.N, d.K, d.Slice, sum, sa, sb, flag);
    }

    [Kernel]
    internal static void ForwardSimpleKernel(Index1D row, int n, int inF, int outF, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        long xBase = (long)row.X * inF;
        long yBase = (long)row.X * outF;
        for (int o = 0; o < outF; o++)
        {
            y[yBase + o] = b[o];
        }

        for (int i = 0; i < inF; i++)
        {
            float xv = x[xBase + i];
            long wBase = (long)i * outF;
            for (int o = 0; o < outF; o++)
            {
                y[yBase + o] += xv * w[wBase + o];
            }
        }
    }

    [Kernel]
    internal static void BackwardDataSimpleKernel(Index1D row, int n, int inF, int outF, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        long xBase = (long)row.X * inF;
        long yBase = (long)row.X * outF;
        for (int i = 0; i < inF; i++)
        {
            long wBase = (long)i * outF;
            float acc = 0f;
            for (int o = 0; o < outF; o++)
            {
                acc += dy[yBase + o] * w[wBase + o];
            }

            dx[xBase + i] = acc;
        }
    }

    /// <summary>One thread per input feature i: row i of dw; thread 0 also does db.</summary>
    [Kernel]
    internal static void BackwardWeightsSimpleKernel(Index1D i, int n, int inF, int outF, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db)
    {
        long wBase = (long)i.X * outF;
        for (int s = 0; s < n; s++)
        {
            float xv = x[(long)s * inF + i];
            long yBase = (long)s * outF;
            for (int o = 0; o < outF; o++)
            {
                dw[wBase + o] += xv * dy[yBase + o];
            }
        }

        if (i == 0)
        {
            for (int o = 0; o < outF; o++)
            {
                float acc = 0f;
                for (int s = 0; s < n; s++)
                {
                    acc += dy[(long)s * outF + o];
                }

                db[o] += acc;
            }
        }
    }
}
