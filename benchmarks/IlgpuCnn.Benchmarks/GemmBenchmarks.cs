using BenchmarkDotNet.Attributes;
using ILGPU.Runtime.Cuda;
using IlgpuCnn.Benchmarks.Lab;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks;

/// <summary>
/// The dense layer's GEMM y[M,N] = x[M,K]·w[K,N]: Simple (one thread per row), the lab's version 1
/// (<see cref="TiledKernels"/>: shared memory, 4×4 per thread), the plan's GPU body (Cursor), and cuBLAS SGEMM (ILGPU.Algorithms) as the baseline when CUDA is
/// present. cuBLAS is a benchmark baseline only, never in the training path.
/// </summary>
[Config(typeof(BenchConfig))]
public class GemmBenchmarks : IWork, IDisposable
{
    private ComputeDevice? _device;
    private Tensor? _x, _w, _b, _y;
    private DenseKernels? _k;
    private CuBlas? _blas;
    private int _m, _n, _kk;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        (_m, _kk, _n) = Sizes();
        _k = DenseKernels.For(_device);
        _x = Tensor.FromHost(_device, new Shape(_m, _kk, 1, 1), BenchDevice.Random((long)_m * _kk, 1));
        _w = Tensor.FromHost(_device, new Shape(_kk, _n, 1, 1), BenchDevice.Random((long)_kk * _n, 2));
        _b = Tensor.Allocate(_device, new Shape(_n, 1, 1, 1), false);
        _y = Tensor.Allocate(_device, new Shape(_m, _n, 1, 1), false);
        if (_device.Accelerator is CudaAccelerator cuda)
        {
            _blas = new CuBlas(cuda);
        }

        LabCheck.Same("dense forward (tiled)", _y, Simple, Tiled);
        LabCheck.Same("dense forward (cursor)", _y, Simple, Cursor);
    }

    [Benchmark(Baseline = true)]
    public void Simple()
    {
        _k!.Forward(_m, _kk, _n, _x!.View, _w!.View, _b!.View, _y!.View, DeviceFigures.Cpu);
        _device!.Synchronize();
    }

    [Benchmark]
    public void Tiled()
    {
        TiledKernels.For(_device!).DenseForward(_m, _kk, _n, _x!.View, _w!.View, _b!.View, _y!.View);
        _device!.Synchronize();
    }

    [Benchmark]
    public void Cursor()
    {
        _k!.Forward(_m, _kk, _n, _x!.View, _w!.View, _b!.View, _y!.View, _device!.Figures.IsGpu ? _device.Figures : DeviceFigures.H100);
        _device!.Synchronize();
    }

    /// <summary>cuBLAS SGEMM (column-major: computes yᵀ = wᵀ·xᵀ, i.e. row-major y = x·w). Skipped without CUDA.</summary>
    [Benchmark]
    public void CuBlasSgemm()
    {
        if (_blas is null)
        {
            return;
        }

        _blas.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose, _n, _m, _kk, 1f, _w!.View, _n, _x!.View, _kk, 0f, _y!.View, _n);
        _device!.Synchronize();
    }

    public (double Flops, double Bytes) Work(string method)
    {
        var (m, k, n) = Sizes();
        if (method == nameof(CuBlasSgemm) && !BenchDevice.IsCuda)
        {
            return (0, 0);
        }

        return (2.0 * m * n * k, 4.0 * ((double)m * k + (double)k * n + (double)m * n));
    }

    private static (int M, int K, int N) Sizes() => BenchDevice.IsCuda ? (4096, 1024, 1024) : (64, 128, 128);

    [GlobalCleanup]
    public void Dispose()
    {
        _blas?.Dispose();
        foreach (var t in new[] { _x, _w, _b, _y })
        {
            t?.Dispose();
        }

        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
