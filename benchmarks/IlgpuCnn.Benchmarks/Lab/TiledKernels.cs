using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

// The conv and dense GEMM lab, in the manner of llm.c's dev/cuda: the product runs the winners
// (src/IlgpuCnn/Kernels/, chosen by KernelPlanner); the versions live here so BenchmarkDotNet can
// still compare them (ConvBenchmarks, GemmBenchmarks), each checked against the CPU accelerator's
// Simple body before it is timed (LabCheck).
// version 1 is TiledGemm (this folder): 64×64 tiles, 256 threads, a 4×4 register block
//           (Block4x4), one k per shared load, IGemmA/IGemmB operands that decode every k.
// version 2 is Cursor (BlockedGemm): 128 threads, an 8×4 register block read as 16-byte shared
//           loads, IKCursor operands stepping k with carries, a register double buffer.
// version 3 is Run64/Run32 (RunGemm): version 2's tile with runs of 8 k staged per thread through
//           IKRun operands (tap-major K), and a 64×32 tile for the 32-channel layers.
// Versions 2 and 3 run in the product; version 1 left src/ when the plan replaced KernelVariant.

/// <summary>Version 1 of the conv and dense GEMMs (TiledGemm), launched on a device as the benchmarks ask.</summary>
public sealed class TiledKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<KernelConfig, ConvGeometry, int, ConvForwardBuffers> _forward;
    private readonly Action<KernelConfig, ConvGeometry, int, ConvBackwardDataBuffers> _backwardData;
    private readonly Action<KernelConfig, ConvGeometry, int, ConvBackwardWeightsBuffers> _backwardWeights;
    private readonly Action<KernelConfig, int, int, int, int, StridedMatrix, StridedMatrix, MatrixOut> _gemm;

    private TiledKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forward = acc.LoadStreamKernel<ConvGeometry, int, ConvForwardBuffers>(ForwardTiledKernel);
        _backwardData = acc.LoadStreamKernel<ConvGeometry, int, ConvBackwardDataBuffers>(BackwardDataTiledKernel);
        _backwardWeights = acc.LoadStreamKernel<ConvGeometry, int, ConvBackwardWeightsBuffers>(BackwardWeightsTiledKernel);
        _gemm = acc.LoadStreamKernel<int, int, int, int, StridedMatrix, StridedMatrix, MatrixOut>(GemmTiledKernel);
    }

    public static TiledKernels For(ComputeDevice device) => device.Kernels(d => new TiledKernels(d));

    /// <summary>Conv y = conv(x, w) + b (y overwritten).</summary>
    public void ConvForward(ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        int k = g.Ci * g.KH * g.KW;
        _forward(TiledGemm.Config(g.N * g.OH * g.OW, g.Co, 1), g, TiledGemm.SliceLength(k, 1), new ConvForwardBuffers(x, w, b, y));
    }

    /// <summary>Conv dx = conv_transpose(dy, w) (overwritten; any stride).</summary>
    public void ConvBackwardData(ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        int k = g.Co * g.KH * g.KW;
        _backwardData(TiledGemm.Config(g.N * g.H * g.W, g.Ci, 1), g, TiledGemm.SliceLength(k, 1), new ConvBackwardDataBuffers(dy, w, dx));
    }

    /// <summary>Conv dw += Σ dy ⊗ patches(x) (no bias; split-K in 512 / tiles slices of at least 256).</summary>
    public void ConvBackwardWeights(ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        int n = g.Ci * g.KH * g.KW;
        int k = g.N * g.OH * g.OW;
        int tiles = ((g.Co + TiledGemm.TileM - 1) / TiledGemm.TileM) * ((n + TiledGemm.TileN - 1) / TiledGemm.TileN);
        int splits = Math.Clamp(512 / tiles, 1, Math.Max(1, k / 256));
        _backwardWeights(TiledGemm.Config(g.Co, n, splits), g, TiledGemm.SliceLength(k, splits), new ConvBackwardWeightsBuffers(x, dy, dw, GradAddresses.Of(dw, default)));
    }

    /// <summary>Dense y = x·w + b (y overwritten).</summary>
    public void DenseForward(int n, int inF, int outF, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y) =>
        _gemm(TiledGemm.Config(n, outF, 1), n, outF, inF, TiledGemm.SliceLength(inF, 1), new StridedMatrix(x, inF, 1), new StridedMatrix(w, outF, 1), new MatrixOut(y, b, outF, GemmStoreMode.Write));

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void ForwardTiledKernel(ConvGeometry g, int slice, ConvForwardBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int k = g.Ci * g.KH * g.KW;
        var c = new NchwOut(p.Y, p.B, g.Co, g.OutPlane, GemmStoreMode.Write);
        TiledGemm.Run(new ConvInputPatches(p.X, g), new StridedMatrix(p.W, 1, k), c, g.N * g.OH * g.OW, g.Co, k, slice, sa, sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardDataTiledKernel(ConvGeometry g, int slice, ConvBackwardDataBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        var c = new NchwOut(p.Dx, default, g.Ci, g.InPlane, GemmStoreMode.Write);
        TiledGemm.Run(new ConvOutputGradGather(p.Dy, g), new ConvWeightsByOutput(p.W, g), c, g.N * g.H * g.W, g.Ci, g.Co * g.KH * g.KW, slice, sa, sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardWeightsTiledKernel(ConvGeometry g, int slice, ConvBackwardWeightsBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int n = g.Ci * g.KH * g.KW;
        var c = new MatrixOut(p.Dw, default, n, GemmStoreMode.AtomicAdd);
        TiledGemm.Run(new ConvOutputGradByChannel(p.Dy, g), new ConvInputPatchesT(p.X, g), c, g.Co, n, g.N * g.OH * g.OW, slice, sa, sb);
    }

    /// <summary>General tiled GEMM over strided operands (dense forward).</summary>
    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void GemmTiledKernel(int m, int n, int k, int slice, StridedMatrix a, StridedMatrix b, MatrixOut c)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        TiledGemm.Run(a, b, c, m, n, k, slice, sa, sb);
    }
}
