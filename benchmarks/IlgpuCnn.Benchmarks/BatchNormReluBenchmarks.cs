using BenchmarkDotNet.Attributes;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks;

/// <summary>BatchNorm then ReLU as two layers vs the fused BatchNorm+ReLU layer: a training forward and backward.</summary>
[Config(typeof(BenchConfig))]
public class BatchNormReluBenchmarks : IWork, IDisposable
{
    private ComputeDevice? _device;
    private ParameterStore? _separateStore, _fusedStore;
    private Sequential? _separate, _fused;
    private Tensor? _x;
    private GradientTape? _tape;
    private float[]? _dy;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        var shape = Shape();
        _separateStore = new ParameterStore();
        _fusedStore = new ParameterStore();
        _separate = new Sequential("separate", [new BatchNorm(_device, _separateStore, "bn", shape.C), new Relu(_device, "relu")]);
        _fused = new Sequential("fused", [new BatchNorm(_device, _fusedStore, "bn", shape.C, fuseRelu: true)]);
        _separateStore.Materialize(_device, 1);
        _fusedStore.Materialize(_device, 1);
        _x = Tensor.FromHost(_device, shape, BenchDevice.Random(shape.Length, 1), requiresGrad: true);
        _dy = BenchDevice.Random(shape.Length, 2);
        _tape = new GradientTape(_device);
        Separate();
        Fused();
    }

    [Benchmark(Baseline = true)]
    public void Separate() => Step(_separate!);

    [Benchmark]
    public void Fused() => Step(_fused!);

    private void Step(Sequential net)
    {
        _tape!.Begin(ForwardPass.Training(0, 0));
        var y = net.Forward(_x!, _tape);
        _tape.Backward(y, _dy!);
        _device!.Synchronize();
    }

    public (double Flops, double Bytes) Work(string method)
    {
        double n = Shape().Length * 4.0;
        // separate: BN fwd reads x twice (stats) + x, writes y; ReLU reads y writes z; backward mirrors it.
        return method == nameof(Separate) ? (0, n * 14) : (0, n * 10);
    }

    private static Shape Shape() => BenchDevice.IsCuda ? new Shape(64, 64, 16, 16) : new Shape(8, 16, 16, 16);

    [GlobalCleanup]
    public void Dispose()
    {
        _x?.Dispose();
        _separateStore?.Dispose();
        _fusedStore?.Dispose();
        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
