using BenchmarkDotNet.Attributes;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Models;

namespace IlgpuCnn.Benchmarks;

/// <summary>AdamW over the recipe's parameters: one launch per parameter tensor vs one launch for all (the flat store).</summary>
[Config(typeof(BenchConfig))]
public class AdamWBenchmarks : IWork, IDisposable
{
    private ComputeDevice? _device;
    private VggModel? _model;
    private AdamWKernels? _k;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        _model = VggModel.Create(_device, Width());
        _k = AdamWKernels.For(_device);
    }

    [Benchmark(Baseline = true)]
    public void PerTensor()
    {
        var s = new AdamWStep(1e-3, 0.003, 0.9, 0.999, 1e-7, 1);
        var store = _model!.Store;
        foreach (var p in store.All.Where(p => p.Trainable))
        {
            _k!.Step(s, store.Values.SubView(p.Offset, p.Count), store.Grads.SubView(p.Offset, p.Count), store.FirstMoments.SubView(p.Offset, p.Count), store.SecondMoments.SubView(p.Offset, p.Count));
        }

        _device!.Synchronize();
    }

    [Benchmark]
    public void SingleLaunch()
    {
        var s = new AdamWStep(1e-3, 0.003, 0.9, 0.999, 1e-7, 1);
        var store = _model!.Store;
        long n = store.TrainableCount;
        _k!.Step(s, store.Values.SubView(0, n), store.Grads.SubView(0, n), store.FirstMoments.SubView(0, n), store.SecondMoments.SubView(0, n));
        _device!.Synchronize();
    }

    public (double Flops, double Bytes) Work(string method)
    {
        // 4 buffers read, 3 written, per parameter.
        var (filters, dense) = VggModel.Sizes(Width());
        double n = TrainableCount(filters, dense);
        return (n * 12, n * 7 * 4);
    }

    private static double Width() => BenchDevice.IsCuda ? 1.0 : 0.25;

    private static double TrainableCount(int[] f, int dense)
    {
        double total = 0;
        int cin = 3;
        foreach (int c in f)
        {
            total += 9.0 * cin * c + c + 2 * c + 9.0 * c * c + c + 2 * c;
            cin = c;
        }

        return total + cin * dense + dense + 2 * dense + dense * 10 + 10;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _model?.Dispose();
        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
