using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Layers;

/// <summary>
/// conv → BN → ReLU → pool → GAP → dense, trained with AdamW on a small synthetic task on the
/// CPU accelerator (which colour channel is brightest, with noise): the loss must fall by a large factor.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class TinyNetworkTrainingTests
{
    private readonly DeviceFixture _fx;
    private readonly ITestOutputHelper _out;

    public TinyNetworkTrainingTests(DeviceFixture fx, ITestOutputHelper output)
    {
        _fx = fx;
        _out = output;
    }

    [Fact]
    public void LossFallsByALargeFactor()
    {
        var device = _fx.Device;
        var rng = new TestRandom();
        const int batch = 16, classes = 3, size = 8, steps = 300;
        using var store = new ParameterStore();
        var layers = new List<ILayer>
        {
            new Conv2d(device, store, "conv", 3, 8),
            new BatchNorm(device, store, "bn", 8),
            new Relu(device, "relu"),
            new MaxPool2d(device, "pool"),
            new GlobalAvgPool(device, "gap"),
            new Dense(device, store, "dense", 8, classes),
        };
        var net = new Sequential("tiny", layers);
        store.Materialize(device, (uint)rng.Seed);
        using var loss = new SoftmaxCrossEntropy(device, classes);
        var optimizer = new AdamW(device, store, new AdamWOptions { LearningRate = 3e-3 });
        var tape = new GradientTape(device);
        using var images = Tensor.Allocate(device, new Shape(batch, 3, size, size), false);
        using var labels = device.Accelerator.Allocate1D<int>(batch);

        double first = 0, last = 0;
        var x = new float[images.Length];
        var y = new int[batch];
        for (int step = 0; step < steps; step++)
        {
            for (int s = 0; s < batch; s++)
            {
                y[s] = rng.Next(0, classes);
                for (int c = 0; c < 3; c++)
                for (int i = 0; i < size * size; i++)
                {
                    x[(s * 3 + c) * size * size + i] = (float)(rng.NextDouble() * 0.8 + (c == y[s] ? 0.2 : 0));
                }
            }

            images.Upload(x);
            labels.View.CopyFromCPU(y);
            tape.Begin(ForwardPass.Training(1, step));
            var l = loss.Forward(net.Forward(images, tape), labels.View, tape);
            store.ZeroGrad();
            tape.Backward(l);
            optimizer.Step();
            if (step < 3)
            {
                first += l.ToHost()[0] / 3;
            }
            else if (step >= steps - 10)
            {
                last += l.ToHost()[0] / 10;
            }
        }

        _out.WriteLine($"mean loss of the first 3 steps {first:F4}, of the last 10 steps {last:F4}");
        Assert.True(last < first / 5, $"loss went from {first:F4} to {last:F4}; expected a 5x drop (seed {rng.Seed})");
    }
}
