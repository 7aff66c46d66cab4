using BenchmarkDotNet.Attributes;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks;

/// <summary>
/// Conv2d 3×3 "same", simple (per-sample register blocks) vs tiled (implicit GEMM in shared
/// memory), forward and both backward passes. CUDA: the recipe's block-2 conv at batch 64;
/// CPU accelerator: a small one.
/// </summary>
[Config(typeof(BenchConfig))]
public class ConvBenchmarks : IWork, IDisposable
{
    private ComputeDevice? _device;
    private Tensor? _x, _w, _b, _y, _dy, _dx, _dw, _db;
    private Conv2dKernels? _k;
    private ConvGeometry _g;

    [Params(KernelVariant.Simple, KernelVariant.Tiled)]
    public KernelVariant Variant { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        _g = Geometry();
        _k = Conv2dKernels.For(_device);
        _x = Tensor.FromHost(_device, new Shape(_g.N, _g.Ci, _g.H, _g.W), BenchDevice.Random((long)_g.N * _g.Ci * _g.H * _g.W, 1));
        _w = Tensor.FromHost(_device, new Shape(_g.Co, _g.Ci, 3, 3), BenchDevice.Random((long)_g.Co * _g.Ci * 9, 2));
        _b = Tensor.FromHost(_device, new Shape(_g.Co, 1, 1, 1), BenchDevice.Random(_g.Co, 3));
        _y = Tensor.Allocate(_device, new Shape(_g.N, _g.Co, _g.OH, _g.OW), false);
        _dy = Tensor.FromHost(_device, _y.Shape, BenchDevice.Random(_y.Length, 4));
        _dx = Tensor.Allocate(_device, _x.Shape, false);
        _dw = Tensor.Allocate(_device, _w.Shape, false);
        _db = Tensor.Allocate(_device, _b.Shape, false);
        Forward();
        BackwardData();
        BackwardWeights();
    }

    [Benchmark]
    public void Forward()
    {
        _k!.Forward(_g, _x!.View, _w!.View, _b!.View, _y!.View, Variant);
        _device!.Synchronize();
    }

    [Benchmark]
    public void BackwardData()
    {
        _k!.BackwardData(_g, _dy!.View, _w!.View, _dx!.View, Variant);
        _device!.Synchronize();
    }

    [Benchmark]
    public void BackwardWeights()
    {
        _k!.BackwardWeights(_g, _x!.View, _dy!.View, _dw!.View, _db!.View, Variant);
        _device!.Synchronize();
    }

    public (double Flops, double Bytes) Work(string method)
    {
        var g = Geometry();
        double macs = (double)g.N * g.OH * g.OW * g.Co * g.Ci * g.KH * g.KW;
        double x = (double)g.N * g.Ci * g.H * g.W * 4, y = (double)g.N * g.Co * g.OH * g.OW * 4, w = (double)g.Co * g.Ci * g.KH * g.KW * 4;
        return method switch
        {
            nameof(Forward) => (2 * macs, x + w + y),
            nameof(BackwardData) => (2 * macs, y + w + 2 * x),
            _ => (2 * macs, x + y + 2 * w),
        };
    }

    private static ConvGeometry Geometry() => BenchDevice.IsCuda ? new ConvGeometry(64, 64, 16, 16, 64, 3, 3, 1, 1) : new ConvGeometry(4, 16, 16, 16, 16, 3, 3, 1, 1);

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var t in new[] { _x, _w, _b, _y, _dy, _dx, _dw, _db })
        {
            t?.Dispose();
        }

        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
