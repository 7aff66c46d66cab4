using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Layers;

/// <summary>
/// Finite-difference checks of every backward: for L = Σ y·r (r random), the analytic gradients
/// of the input and of every trainable parameter match (L(θ+ε) − L(θ−ε)) / 2ε at sampled points.
/// Inputs of the kinked ops (ReLU, max-pool) are kept away from their kinks.
/// </summary>
[Collection(DeviceCollection.Name)]
public class GradientCheckTests
{
    private readonly DeviceFixture _fx;

    public GradientCheckTests(DeviceFixture fx) => _fx = fx;

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    public void Conv2d(bool gpuPlan, int stride)
    {
        var (device, plan) = _fx.On(gpuPlan);
        Check(device, store => new Conv2d(device, store, "conv", 3, 4, 3, stride) { PlanFor = plan }, new Shape(2, 3, 5, 6));
    }

    /// <summary>The Simd body of an OpenCL device made of CPU cores: 8-pixel rows (16 → 16 channels) and 4-pixel rows (16 → 32).</summary>
    [Theory]
    [InlineData(16, 16, 8)]
    [InlineData(16, 32, 4)]
    public void Conv2dSimd(int inChannels, int outChannels, int width)
    {
        var device = _fx.Device;
        var plan = Kernels.Conv2dKernelsTests.CpuCores;
        Assert.All(Enum.GetValues<KernelPass>(), p => Assert.Equal(KernelBody.Simd, KernelPlanner.Conv(p, new ConvGeometry(2, inChannels, 3, width, outChannels, 3, 3, 1, 1), plan).Body));
        Check(device, store => new Conv2d(device, store, "conv", inChannels, outChannels, 3, 1) { PlanFor = plan }, new Shape(2, inChannels, 3, width), eps: 0.1);
    }

    /// <summary>Channels and pixels in runs of 8: a GPU plan's Run32/RunShort/Run64 bodies (RunGemm) for all three passes (backward-data at stride 2: Simple).</summary>
    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(2, 8, 8)]
    [InlineData(1, 5, 24)]
    [InlineData(1, 40, 40)]
    public void Conv2dRuns(int stride, int inChannels, int outChannels)
    {
        // 8 channels: the 64×32 tile both ways, the weights on the 32×64 tile; 5 → 24: forward on the
        // Cursor body (5 channels), backward-data on the 64×32 tile, the weights (24 rows) on the 32×64
        // tile; 40: the 64×64 tile. A conv is linear in x and in w
        // separately, so a large step has no truncation error, and it keeps the float32 rounding
        // of 360-term sums out of the difference (at ε = 1e-3 that rounding alone is ~1e-2).
        var (device, plan) = _fx.On(gpu: true);
        var weights = KernelPlanner.Conv(KernelPass.BackwardWeights, new ConvGeometry(2, inChannels, 4, 4, outChannels, 3, 3, stride, 1), plan).Body;
        Assert.Equal(stride != 1 ? KernelBody.Cursor : outChannels <= 32 ? KernelBody.RunShort : KernelBody.Run64, weights); // stride 2: 2×2 outputs, no runs of 8 pixels
        Check(device, store => new Conv2d(device, store, "conv", inChannels, outChannels, 3, stride) { PlanFor = plan }, new Shape(2, inChannels, 4, 4), eps: 0.1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dense(bool gpuPlan)
    {
        var (device, plan) = _fx.On(gpuPlan);
        Check(device, store => new Dense(device, store, "dense", 7, 5) { PlanFor = plan }, new Shape(3, 7, 1, 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchNorm(bool gpuShaped)
    {
        var device = gpuShaped ? _fx.GpuShaped : _fx.Device;
        Check(device, store => new BatchNorm(device, store, "bn", 3), new Shape(4, 3, 3, 2), eps: 1e-2, rtol: 3e-2);
    }

    [Fact]
    public void Relu() => Check(_fx.Device, _ => new Relu(_fx.Device, "relu"), new Shape(2, 3, 4, 5), awayFromKinks: true);

    [Fact]
    public void MaxPool() => Check(_fx.Device, _ => new MaxPool2d(_fx.Device, "pool"), new Shape(2, 3, 4, 6), distinct: true);

    [Fact]
    public void Dropout() => Check(_fx.Device, _ => new Dropout(_fx.Device, "dropout", 0.4f, 0), new Shape(2, 3, 4, 5));

    [Fact]
    public void GlobalAvgPool() => Check(_fx.Device, _ => new GlobalAvgPool(_fx.Device, "gap"), new Shape(2, 3, 4, 5));

    [Fact]
    public void SoftmaxCrossEntropyThroughTheTape()
    {
        var device = _fx.Device;
        var rng = new TestRandom();
        const int n = 5, k = 4;
        var z = rng.Floats(n * k, -2f, 2f);
        var labels = rng.Ints(n, k);
        using var loss = new SoftmaxCrossEntropy(device, k);
        using var logits = Tensor.FromHost(device, new Shape(n, k, 1, 1), z, requiresGrad: true);
        using var lab = device.Accelerator.Allocate1D<int>(labels);
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Training(1, 0));
        var l = loss.Forward(logits, lab.View, tape);
        logits.Grad.MemSetToZero();
        tape.Backward(l);
        var analytic = logits.GradToHost();
        const double eps = 1e-2;
        for (int i = 0; i < z.Length; i++)
        {
            double Eval(float v)
            {
                z[i] = v;
                logits.Upload(z);
                tape.Begin(ForwardPass.Training(1, 0));
                return loss.Forward(logits, lab.View, tape).ToHost()[0];
            }

            float orig = z[i];
            double numeric = (Eval(orig + (float)eps) - Eval(orig - (float)eps)) / (2 * eps);
            z[i] = orig;
            AssertGrad(numeric, analytic[i], 1e-2, 1e-3, $"dlogits[{i}]", rng.Seed);
        }
    }

    private static void Check(IlgpuCnn.Device.ComputeDevice device, Func<ParameterStore, ILayer> make, Shape input, double eps = 1e-3, double rtol = 1e-2, bool awayFromKinks = false, bool distinct = false)
    {
        var rng = new TestRandom();
        using var store = new ParameterStore();
        var layer = make(store);
        store.Materialize(device, (uint)rng.Seed);
        if (store.TotalCount > 0)
        {
            var values = rng.Floats(store.TotalCount, -1f, 1f);
            for (long i = store.TrainableCount; i < store.TotalCount; i++)
            {
                values[i] = Math.Abs(values[i]) + 0.5f; // moving statistics: variance must be positive
            }

            store.Upload(values);
        }

        var x = rng.Floats(input.Length);
        if (awayFromKinks)
        {
            x = x.Select(v => v >= 0 ? v + 0.05f : v - 0.05f).ToArray();
        }

        if (distinct)
        {
            var order = Enumerable.Range(0, x.Length).OrderBy(_ => rng.NextDouble()).ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                x[order[i]] = 0.02f * i - 1f;
            }
        }

        using var tx = Tensor.FromHost(device, input, x, requiresGrad: true);
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Training(7, 3));
        var y = layer.Forward(tx, tape);
        var r = rng.Floats(y.Length);
        tx.Grad.MemSetToZero();
        store.ZeroGrad();
        y.Grad.CopyFromCPU(r);
        layer.Backward();
        var dx = tx.GradToHost();
        var grads = store.TrainableCount > 0 ? DownloadGrads(store) : [];

        double Loss()
        {
            tape.Begin(ForwardPass.Training(7, 3));
            var yy = layer.Forward(tx, tape).ToHost();
            double sum = 0;
            for (int i = 0; i < yy.Length; i++)
            {
                sum += (double)yy[i] * r[i];
            }

            return sum;
        }

        foreach (int i in Sample(x.Length, 24, rng))
        {
            float orig = x[i];
            x[i] = orig + (float)eps;
            tx.Upload(x);
            double plus = Loss();
            x[i] = orig - (float)eps;
            tx.Upload(x);
            double minus = Loss();
            x[i] = orig;
            tx.Upload(x);
            AssertGrad((plus - minus) / (2 * eps), dx[i], rtol, 2e-3, $"{layer.Name} dx[{i}]", rng.Seed);
        }

        foreach (var p in store.All.Where(p => p.Trainable))
        {
            var values = store.Download();
            foreach (int j in Sample(p.Count, 12, rng))
            {
                long at = p.Offset + j;
                float orig = values[at];
                values[at] = orig + (float)eps;
                store.Upload(values);
                double plus = Loss();
                values[at] = orig - (float)eps;
                store.Upload(values);
                double minus = Loss();
                values[at] = orig;
                store.Upload(values);
                AssertGrad((plus - minus) / (2 * eps), grads[at], rtol, 2e-3, $"{p.Name}[{j}]", rng.Seed);
            }
        }
    }

    private static float[] DownloadGrads(ParameterStore store)
    {
        var g = new float[store.TrainableCount];
        store.Grads.SubView(0, store.TrainableCount).CopyToCPU(g);
        return g;
    }

    private static IEnumerable<int> Sample(int count, int max, TestRandom rng) =>
        count <= max ? Enumerable.Range(0, count) : Enumerable.Range(0, max).Select(_ => rng.Next(0, count)).Distinct();

    private static void AssertGrad(double numeric, double analytic, double rtol, double atol, string what, int seed)
    {
        double err = Math.Abs(numeric - analytic);
        Assert.True(err <= atol + rtol * Math.Abs(numeric), $"{what}: analytic {analytic:G6} vs numeric {numeric:G6} (seed {seed})");
    }
}
