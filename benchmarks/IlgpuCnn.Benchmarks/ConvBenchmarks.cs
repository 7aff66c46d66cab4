using BenchmarkDotNet.Attributes;
using IlgpuCnn.Benchmarks.Lab;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks;

/// <summary>
/// Conv2d 3×3 "same", forward and both backward passes, in three versions: Simple (the CPU
/// accelerator's body: per-sample register blocks), the lab's version 1 (<see cref="TiledKernels"/>,
/// checked against Simple in the setup) and Plan (the body a GPU's <see cref="KernelPlanner"/> picks:
/// Run64 here). CUDA: the recipe's block-2 conv at batch 64; CPU accelerator: a small one.
/// </summary>
[Config(typeof(BenchConfig))]
public class ConvBenchmarks : IWork, IDisposable
{
    private ComputeDevice? _device;
    private Tensor? _x, _w, _b, _y, _dy, _dx, _dw, _db;
    private ConvWeightCopies? _wT; // the forward GEMM and Direct bodies' transposed weights, written once (the weights do not change here)
    private Conv2dKernels? _k;
    private ConvGeometry _g;

    /// <summary>Which version a benchmark runs.</summary>
    public enum Version
    {
        Simple,
        Tiled,
        Plan,
    }

    [Params(Version.Simple, Version.Tiled, Version.Plan)]
    public Version Variant { get; set; }

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
        _wT = ConvWeightCopies.Of(_device, _w.View, _g);
        _wT.Refresh();
        _db = Tensor.Allocate(_device, _b.Shape, false);
        LabCheck.Same("conv forward", _y, () => Run(Version.Simple, Forward), () => Forward());
        LabCheck.Same("conv backward-data", _dx, () => Run(Version.Simple, BackwardData), () => BackwardData());
    }

    [Benchmark]
    public void Forward()
    {
        if (Variant == Version.Tiled)
        {
            TiledKernels.For(_device!).ConvForward(_g, _x!.View, _w!.View, _b!.View, _y!.View);
        }
        else
        {
            _k!.Forward(_g, _x!.View, _w!.View, _wT!.View(0), _b!.View, _y!.View, PlanFor);
        }

        _device!.Synchronize();
    }

    [Benchmark]
    public void BackwardData()
    {
        if (Variant == Version.Tiled)
        {
            TiledKernels.For(_device!).ConvBackwardData(_g, _dy!.View, _w!.View, _dx!.View);
        }
        else
        {
            _k!.BackwardData(_g, _dy!.View, _w!.View, _dx!.View, PlanFor);
        }

        _device!.Synchronize();
    }

    [Benchmark]
    public void BackwardWeights()
    {
        if (Variant == Version.Tiled)
        {
            TiledKernels.For(_device!).ConvBackwardWeights(_g, _x!.View, _dy!.View, _dw!.View);
        }
        else
        {
            _k!.BackwardWeights(_g, _x!.View, _dy!.View, _dw!.View, _db!.View, PlanFor);
        }

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

    /// <summary>Simple's plan (the CPU accelerator's) or a GPU's (the device's own, an H100's on the CPU accelerator).</summary>
    private DeviceFigures PlanFor => Variant == Version.Simple ? DeviceFigures.Cpu : _device!.Figures.IsGpu ? _device.Figures : DeviceFigures.H100;

    /// <summary>Runs <paramref name="pass"/> as <paramref name="version"/>, then restores the benchmark's own version.</summary>
    private void Run(Version version, Action pass)
    {
        var own = Variant;
        Variant = version;
        pass();
        Variant = own;
    }

    private static ConvGeometry Geometry() => BenchDevice.IsCuda ? new ConvGeometry(64, 64, 16, 16, 64, 3, 3, 1, 1) : new ConvGeometry(4, 16, 16, 16, 16, 3, 3, 1, 1);

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var t in new[] { _x, _w, _b, _y, _dy, _dx, _dw, _db })
        {
            t?.Dispose();
        }

        _wT?.Dispose();
        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
