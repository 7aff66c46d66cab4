using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Autograd;

[Collection(DeviceCollection.Name)]
public sealed class GradientTapeTests(DeviceFixture fx)
{
    [Fact]
    public void RecordsInTrainingModeOnlyAndNotInsideNoGrad()
    {
        var device = fx.Device;
        using var relu = new Relu(device, "relu");
        using var x = Tensor.FromHost(device, new Shape(1, 2, 3, 4), new TestRandom().Floats(24), requiresGrad: true);
        var tape = new GradientTape(device);

        tape.Begin(ForwardPass.Training(0, 0));
        relu.Forward(x, tape);
        Assert.Equal(1, tape.Count);

        tape.Begin(ForwardPass.Training(0, 0));
        using (tape.NoGrad())
        {
            relu.Forward(x, tape);
            Assert.False(tape.Recording);
        }

        Assert.Equal(0, tape.Count);
        Assert.True(tape.Recording);

        tape.Begin(ForwardPass.Inference);
        relu.Forward(x, tape);
        Assert.Equal(0, tape.Count);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(x, new float[24]));
        Assert.Contains("empty tape", e.Message);
    }

    [Fact]
    public void BackwardOfAChainMatchesTheChainRule()
    {
        // y = relu(relu(x)) with upstream gradient g: dx = g where x > 0, else 0 (through both).
        var device = fx.Device;
        var rng = new TestRandom();
        using var first = new Relu(device, "a");
        using var second = new Relu(device, "b");
        var values = rng.Floats(30).Select(v => v >= 0 ? v + 0.1f : v - 0.1f).ToArray();
        var g = rng.Floats(30);
        using var x = Tensor.FromHost(device, new Shape(2, 3, 5, 1), values, requiresGrad: true);
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Training(0, 0));
        var y = second.Forward(first.Forward(x, tape), tape);
        x.Grad.MemSetToZero();
        tape.Backward(y, g);
        var dx = x.GradToHost();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i] > 0 ? g[i] : 0f, dx[i]);
        }
    }
}
