using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Layers;

/// <summary>The fused layers compute exactly what their unfused chains compute, forward and backward.</summary>
[Collection(DeviceCollection.Name)]
public class FusedLayersTests
{
    private readonly DeviceFixture _fx;

    public FusedLayersTests(DeviceFixture fx) => _fx = fx;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchNormReluEqualsBatchNormThenRelu(bool gpuShaped)
    {
        var device = gpuShaped ? _fx.GpuShaped : _fx.Device;
        var shape = new Shape(3, 5, 6, 7);
        var (fusedY, fusedDx, fusedGrads) = Run(device, shape, store => [new BatchNormRelu(device, store, "bn", 5)]);
        var (chainY, chainDx, chainGrads) = Run(device, shape, store => [new BatchNorm(device, store, "bn", 5), new Relu(device, "relu")]);
        Assertions.Close(chainY, fusedY, rtol: 1e-6, atol: 1e-7, what: "fused BN+ReLU forward");
        Assertions.Close(chainDx, fusedDx, rtol: 1e-5, atol: 1e-6, what: "fused BN+ReLU dx");
        Assertions.Close(chainGrads, fusedGrads, rtol: 1e-5, atol: 1e-6, what: "fused BN+ReLU dgamma, dbeta");
    }

    [Fact]
    public void MaxPoolDropoutEqualsMaxPoolThenDropout()
    {
        var device = _fx.Device;
        var shape = new Shape(4, 3, 8, 10);
        var (fusedY, fusedDx, _) = Run(device, shape, _ => [new MaxPoolDropout(device, "pool", 0.3f, 2)]);
        var (chainY, chainDx, _) = Run(device, shape, _ => [new MaxPool2d(device, "pool"), new Dropout(device, "dropout", 0.3f, 2)]);
        Assertions.Close(chainY, fusedY, rtol: 1e-6, atol: 1e-7, what: "fused pool+dropout forward");
        Assertions.Close(chainDx, fusedDx, rtol: 1e-6, atol: 1e-7, what: "fused pool+dropout dx");
        Assert.Contains(0f, fusedY);
    }

    private static (float[] Y, float[] Dx, float[] Grads) Run(IlgpuCnn.Device.ComputeDevice device, Shape shape, Func<ParameterStore, ILayer[]> make)
    {
        var rng = new TestRandom(12345);
        using var store = new ParameterStore();
        var net = new Sequential("net", make(store));
        store.Materialize(device, 1);
        if (store.TotalCount > 0)
        {
            var values = rng.Floats(store.TotalCount, 0.5f, 1.5f);
            store.Upload(values);
        }

        using var x = Tensor.FromHost(device, shape, rng.Floats(shape.Length, -2f, 2f), requiresGrad: true);
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Training(9, 4));
        var y = net.Forward(x, tape);
        var r = rng.Floats(y.Length);
        x.Grad.MemSetToZero();
        store.ZeroGrad();
        tape.Backward(y, r);

        var grads = new float[store.TrainableCount];
        if (store.TrainableCount > 0)
        {
            store.Grads.SubView(0, store.TrainableCount).CopyToCPU(grads);
        }

        return (y.ToHost(), x.GradToHost(), grads);
    }
}
