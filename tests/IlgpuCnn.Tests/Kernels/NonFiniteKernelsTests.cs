using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// NaN and infinities reach the kernels when a run diverges: every sum must still end. Each test
/// runs on its own CPU accelerator and waits with a timeout, so a kernel that spins (ILGPU's float
/// <c>Atomic.Add</c> on a NaN target does) fails the test instead of hanging the suite.
/// </summary>
public sealed class NonFiniteKernelsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FloatAtomicAddEndsOnANaNTargetAndSumsFiniteValues()
    {
        var rng = new TestRandom();
        var values = rng.Floats(301);
        var device = ComputeDevice.Create(DeviceKind.Cpu);
        var run = Task.Run(() =>
        {
            var kernel = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(AddAllKernel);
            using var v = device.Accelerator.Allocate1D(values);
            using var target = device.Accelerator.Allocate1D([0.25f, float.NaN, float.PositiveInfinity]);
            kernel(values.Length, v.View, target.View);
            device.Accelerator.Synchronize();
            return target.GetAsArray1D();
        }, TestContext.Current.CancellationToken);
        var sums = await Within(run, "a float atomic add into a NaN target");
        device.Dispose();
        Assertions.Close([0.25 + values.Sum(v => (double)v)], [sums[0]], rtol: 1e-4, atol: 1e-4, what: "atomic sum", seed: rng.Seed);
        Assert.True(float.IsNaN(sums[1]));
        Assert.True(float.IsPositiveInfinity(sums[2]));
    }

    [Fact]
    public async Task SoftmaxCrossEntropyEndsOnNaNLogitsAndCountsTheFiniteBatches()
    {
        var rng = new TestRandom();
        const int n = 9, k = 10;
        var good = rng.Floats(n * k, -3f, 3f);
        var bad = (float[])good.Clone();
        bad[13] = float.NaN;
        bad[40] = float.PositiveInfinity;
        var device = ComputeDevice.Create(DeviceKind.Cpu);
        var run = Task.Run(() =>
        {
            using var loss = new SoftmaxCrossEntropy(device, k);
            using var labels = device.Accelerator.Allocate1D(rng.Ints(n, k));
            using var z = Tensor.FromHost(device, new Shape(n, k, 1, 1), good);
            var tape = new IlgpuCnn.Autograd.GradientTape(device);
            loss.ResetMetrics();
            foreach (var logits in new[] { good, good, bad, good })
            {
                z.Upload(logits);
                tape.Begin(ForwardPass.Inference);
                loss.Forward(z, labels.View, tape);
            }

            var (sum, _) = loss.ReadMetrics();
            return (sum, loss.FiniteBatches);
        }, TestContext.Current.CancellationToken);
        var (lossSum, finiteBatches) = await Within(run, "softmax-cross-entropy on NaN logits");
        device.Dispose();
        Assert.False(double.IsFinite(lossSum));
        Assert.Equal(2, finiteBatches);
    }

    /// <summary>The task's result, or a failure when it runs past <see cref="Limit"/> (its device is then abandoned, never disposed).</summary>
    private static async Task<T> Within<T>(Task<T> run, string what)
    {
        var first = await Task.WhenAny(run, Task.Delay(Limit, TestContext.Current.CancellationToken));
        Assert.True(first == run, $"{what} did not end within {Limit.TotalSeconds} s");
        return await run;
    }

    private static void AddAllKernel(Index1D i, ArrayView<float> values, ArrayView<float> target)
    {
        FloatAtomic.Add(target, 0, values[i]);
        FloatAtomic.Add(target, 1, values[i]);
        FloatAtomic.Add(target, 2, values[i]);
    }
}
