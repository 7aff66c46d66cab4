using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Dense (fully connected), row-major. N = batch, I = in features, O = out features.
//   x (N, I)    w (I, O)  [Keras' kernel layout]    b (O)    y (N, O)
// forward:          y[n,o]  = b[o] + Σ_i x[n,i]·w[i,o]
// backward-data:    dx[n,i] += Σ_o dy[n,o]·w[i,o]
// backward-weights: dw[i,o] += Σ_n x[n,i]·dy[n,o];   db[o] += Σ_n dy[n,o]
// Tiled: the shared-memory GEMM of TiledGemm (CUDA). Simple (CPU): one thread per sample for the
// forward and backward-data passes (a row of y or dx), one per input feature for backward-weights
// (a row of dw; thread 0 also sums db).

/// <summary>The dense-layer kernels of one device, loaded once.</summary>
public sealed class DenseKernels
{
    private readonly ComputeDevice _device;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _forwardSimple;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _backwardDataSimple;
    private readonly Lazy<Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _backwardWeightsSimple;
    private readonly Lazy<Action<KernelConfig, int, int, int, int, StridedMatrix, StridedMatrix, MatrixOut>> _gemmTiled;
    private readonly Lazy<Action<KernelConfig, int, int, int, int, StridedCursor, StridedCursor, MatrixOut>> _gemmBlocked;
    private readonly Lazy<Action<KernelConfig, int, int, int, int, StridedCursor, StridedCursor, GradWithBiasOut>> _gradGemmBlocked;
    private readonly Lazy<Action<Index1D, int, int, ArrayView<float>, ArrayView<float>>> _biasGrad;

    private DenseKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forwardSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardSimpleKernel));
        _backwardDataSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDataSimpleKernel));
        _backwardWeightsSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardWeightsSimpleKernel));
        _gemmTiled = new(() => acc.LoadStreamKernel<int, int, int, int, StridedMatrix, StridedMatrix, MatrixOut>(GemmTiledKernel));
        _gemmBlocked = new(() => acc.LoadStreamKernel<int, int, int, int, StridedCursor, StridedCursor, MatrixOut>(GemmBlockedKernel));
        _gradGemmBlocked = new(() => acc.LoadStreamKernel<int, int, int, int, StridedCursor, StridedCursor, GradWithBiasOut>(GradGemmBlockedKernel));
        _biasGrad = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(BiasGradKernel));

        // The device's own variant is compiled now (so no training step compiles anything); the
        // others (tests, benchmarks) on first use.
        if (KernelVariant.Auto.On(device) == KernelVariant.Blocked)
        {
            _ = (_gemmBlocked.Value, _gradGemmBlocked.Value);
        }
        else
        {
            _ = (_forwardSimple.Value, _backwardDataSimple.Value, _backwardWeightsSimple.Value);
        }
    }

    public static DenseKernels For(ComputeDevice device) => device.Kernels(d => new DenseKernels(d));

    /// <summary>y = x·w + b (y overwritten).</summary>
    public void Forward(int n, int inF, int outF, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, KernelVariant variant = KernelVariant.Auto)
    {
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked)
        {
            _gemmBlocked.Value(BlockedGemm.Config(n, outF, 1), n, outF, inF, inF, new StridedCursor(x, inF, 1), new StridedCursor(w, 1, outF), new MatrixOut(y, b, outF, GemmStoreMode.Write));
        }
        else if (v == KernelVariant.Tiled)
        {
            Gemm(n, outF, inF, new StridedMatrix(x, inF, 1), new StridedMatrix(w, outF, 1), new MatrixOut(y, b, outF, GemmStoreMode.Write), 1);
        }
        else
        {
            _forwardSimple.Value(n, n, inF, outF, x, w, b, y);
        }
    }

    /// <summary>dx = dy·wᵀ (overwritten: an activation gradient has one writer).</summary>
    public void BackwardData(int n, int inF, int outF, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, KernelVariant variant = KernelVariant.Auto)
    {
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked)
        {
            _gemmBlocked.Value(BlockedGemm.Config(n, inF, 1), n, inF, outF, outF, new StridedCursor(dy, outF, 1), new StridedCursor(w, outF, 1), new MatrixOut(dx, default, inF, GemmStoreMode.Write));
        }
        else if (v == KernelVariant.Tiled)
        {
            Gemm(n, inF, outF, new StridedMatrix(dy, outF, 1), new StridedMatrix(w, 1, outF), new MatrixOut(dx, default, inF, GemmStoreMode.Write), 1);
        }
        else
        {
            _backwardDataSimple.Value(n, n, inF, outF, dy, w, dx);
        }
    }

    /// <summary>dw += xᵀ·dy; db += Σ_n dy.</summary>
    public void BackwardWeights(int n, int inF, int outF, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, KernelVariant variant = KernelVariant.Auto)
    {
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked)
        {
            // One extra GEMM row of ones folds the bias gradient db = Σ_n dy into this launch.
            int m = inF + (db.Length > 0 ? 1 : 0);
            int splits = Conv2dKernels.SplitsToFill(BlockedGemm.Tiles(m, outF), n);
            var mode = splits > 1 ? GemmStoreMode.AtomicAdd : GemmStoreMode.Add;
            _gradGemmBlocked.Value(BlockedGemm.Config(m, outF, splits), m, outF, n, BlockedGemm.SliceLength(n, splits), new StridedCursor(x, 1, inF, inF), new StridedCursor(dy, 1, outF), new GradWithBiasOut(dw, db, inF, outF, mode));
        }
        else if (v == KernelVariant.Tiled)
        {
            int tiles = ((inF + TiledGemm.TileM - 1) / TiledGemm.TileM) * ((outF + TiledGemm.TileN - 1) / TiledGemm.TileN);
            int splits = Math.Clamp(256 / tiles, 1, Math.Max(1, n / 64));
            Gemm(inF, outF, n, new StridedMatrix(x, 1, inF), new StridedMatrix(dy, outF, 1), new MatrixOut(dw, default, outF, splits > 1 ? GemmStoreMode.AtomicAdd : GemmStoreMode.Add), splits);
            _biasGrad.Value(outF, n, outF, dy, db);
        }
        else
        {
            _backwardWeightsSimple.Value(inF, n, inF, outF, x, dy, dw, db);
        }
    }

    /// <summary>Blocked GEMM over strided operands (dense forward and backward-data).</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void GemmBlockedKernel(int m, int n, int k, int slice, StridedCursor a, StridedCursor b, MatrixOut c)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        BlockedGemm.Run(a, b, c, m, n, k, slice, sa, sb);
    }

    /// <summary>Blocked GEMM of a weight gradient with its bias gradient as one extra row (dense backward-weights).</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void GradGemmBlockedKernel(int m, int n, int k, int slice, StridedCursor a, StridedCursor b, GradWithBiasOut c)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        BlockedGemm.Run(a, b, c, m, n, k, slice, sa, sb);
    }

    private void Gemm(int m, int n, int k, StridedMatrix a, StridedMatrix b, MatrixOut c, int splits) =>
        _gemmTiled.Value(TiledGemm.Config(m, n, splits), m, n, k, TiledGemm.SliceLength(k, splits), a, b, c);

    /// <summary>General tiled GEMM over strided operands (dense forward and both backward passes).</summary>
    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void GemmTiledKernel(int m, int n, int k, int slice, StridedMatrix a, StridedMatrix b, MatrixOut c)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        TiledGemm.Run(a, b, c, m, n, k, slice, sa, sb);
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

    /// <summary>db[o] += Σ_n dy[n,o], one thread per output feature.</summary>
    [Kernel]
    internal static void BiasGradKernel(Index1D o, int n, int outF, ArrayView<float> dy, ArrayView<float> db)
    {
        float acc = 0f;
        for (int s = 0; s < n; s++)
        {
            acc += dy[(long)s * outF + o];
        }

        db[o] += acc;
    }
}
