using System.Diagnostics;
using IlgpuCnn.Device;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// Checks that a device computes what the CPU reference computes: conv2d on one shape per body a
/// GPU's kernel plan can pick (<see cref="Conv2dCheck.Shapes"/>: Simple, Cursor, Direct, Run64, Run32, RunShort) and
/// one by the plan of a device made of CPU cores (<see cref="Conv2dCheck.CpuCoresShape"/>: Simd),
/// dense, batch norm, pooling, dropout, ReLU, loss, AdamW, the batch gather and augmentation, and
/// a few steps of the width-0.25 model, each from the same random inputs on the device under test
/// (by a GPU's plan) and on the CPU accelerator (by its plan: the Simple bodies), compared output
/// by output (forward values and gradients) by <see cref="RelativeError"/>; each row names the body
/// that computed it. On a CPU-only machine the device under test is the GPU-shaped CPU
/// accelerator running <see cref="DeviceFigures.H100"/>'s plan, so the GPU bodies are checked there too.
/// </summary>
public static class SelfTest
{
    /// <summary>Every check, in the order run: conv2d once per shape of <see cref="Conv2dCheck.Shapes"/> and once by a CPU-cores plan, so every plan body is checked.</summary>
    public static List<SelfTestCheck> DefaultChecks(SelfTestOptions options)
    {
        var checks = new List<SelfTestCheck>();
        checks.AddRange(Conv2dCheck.Shapes.Select(g => new Conv2dCheck(g)));
        checks.Add(new Conv2dCheck(Conv2dCheck.CpuCoresShape, cpuCores: true));
        checks.Add(new DenseCheck());
        checks.Add(new BatchNormCheck(fuseRelu: false));
        checks.Add(new BatchNormCheck(fuseRelu: true));
        checks.Add(new MaxPoolCheck(0f));
        checks.Add(new MaxPoolCheck(0.3f));
        checks.AddRange(ElementwiseCheck.Ops.Select(op => new ElementwiseCheck(op)));
        checks.Add(new SoftmaxCrossEntropyCheck());
        checks.Add(new AdamWCheck());
        checks.Add(new InputPipelineCheck());
        checks.Add(new ModelStepCheck(options.ModelSteps, options.ModelBatch, options.ModelImageSize));
        return checks;
    }

    /// <summary>
    /// Runs each check on <paramref name="device"/> (by <see cref="PlanFor"/>'s plan) and on
    /// <paramref name="reference"/> (by its own plan: the Simple bodies) for every seed;
    /// <paramref name="progress"/> sees each row as it is done.
    /// </summary>
    public static SelfTestReport Run(ComputeDevice device, ComputeDevice reference, IEnumerable<SelfTestCheck> checks, SelfTestOptions options, Action<SelfTestRow>? progress = null)
    {
        var total = Stopwatch.StartNew();
        var rows = new List<SelfTestRow>();
        foreach (var check in checks)
        {
            var (worst, time) = Worst(device, reference, check, options.Seeds);
            foreach (var (name, body, (error, seed)) in worst)
            {
                var row = new SelfTestRow($"{check.Kernel} {name}", body, error, check.Tolerance, time, seed);
                rows.Add(row);
                progress?.Invoke(row);
            }
        }

        return new SelfTestReport(device.Name + (device.IsSimulator ? " (GPU-shaped)" : ""), "CPU accelerator's simple kernels", rows, total.Elapsed);
    }

    /// <summary>
    /// Each output's largest relative error over the seeds (in the order the check returns its
    /// outputs) and the seed that gave it, and the device's time for all seeds.
    /// </summary>
    private static (List<(string Name, string Body, (double Error, int Seed) Worst)> Worst, TimeSpan Time) Worst(ComputeDevice device, ComputeDevice reference, SelfTestCheck check, IEnumerable<int> seeds)
    {
        var worst = new List<(string Name, string Body, (double Error, int Seed) Worst)>();
        var time = TimeSpan.Zero;
        foreach (int seed in seeds)
        {
            var watch = Stopwatch.StartNew();
            var actual = check.Run(device, PlanFor(device), seed);
            device.Synchronize();
            time += watch.Elapsed;
            var expected = check.Run(reference, reference.Figures, seed);
            for (int i = 0; i < expected.Count; i++)
            {
                string name = expected[i].Name;
                bool same = i < actual.Count && actual[i].Name == name;
                double error = same ? RelativeError(expected[i].Values, actual[i].Values) : double.PositiveInfinity;
                string body = same ? actual[i].Body : "-";
                int at = worst.FindIndex(w => w.Name == name);
                if (at < 0)
                {
                    worst.Add((name, body, (error, seed)));
                }
                else if (!(error <= worst[at].Worst.Error))
                {
                    worst[at] = (name, body, (error, seed));
                }
            }
        }

        return (worst, time);
    }

    /// <summary>The device whose kernel plan the device under test runs: its own on a GPU (on an OpenCL CPU device without its Simple choices, so every GEMM body is checked), an H100's on the (GPU-shaped) CPU accelerator.</summary>
    public static DeviceFigures PlanFor(ComputeDevice device) => device.Figures.IsGpu ? device.Figures.AsGpu : DeviceFigures.H100;

    /// <summary>
    /// The quick form <c>train</c> runs on CUDA before its first epoch (about a second there): a
    /// UserError naming the first kernel that disagrees, else one line through <paramref name="message"/>.
    /// </summary>
    public static void Gate(ComputeDevice device, Action<string> message)
    {
        if (!device.RunsGpuBodies)
        {
            return;
        }

        var options = SelfTestOptions.For(simulator: false, quick: true);
        using var reference = ComputeDevice.Create(DeviceKind.Cpu);
        var report = Run(device, reference, DefaultChecks(options), options);
        if (!report.Passed)
        {
            throw new UserError($"{report.FailureSentence}, so training stopped before its first epoch: run `ilgpucnn selftest --device cuda` for the whole table, or train with --device cpu (--no-selftest trains anyway).");
        }

        message($"Self-test: {report.Rows.Count} kernel outputs on {device.Name} agree with the CPU reference ({report.Elapsed.TotalSeconds:F1} s; --no-selftest skips it).");
    }

    /// <summary>
    /// max_i |a_i − r_i| / (|r_i| + 0.1·max(1, max|r|)): at most 1e-4 exactly when the tests'
    /// criterion |a − r| ≤ 1e-5·max(1, scale) + 1e-4·|r| holds; NaN, infinity or a length
    /// mismatch is +∞.
    /// </summary>
    public static double RelativeError(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        if (expected.Count != actual.Count)
        {
            return double.PositiveInfinity;
        }

        double scale = 1;
        foreach (float r in expected)
        {
            scale = Math.Max(scale, Math.Abs((double)r));
        }

        double worst = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            double r = expected[i], a = actual[i];
            double e = Math.Abs(a - r) / (Math.Abs(r) + (0.1 * scale));
            if (!double.IsFinite(a) || !double.IsFinite(r) || !double.IsFinite(e))
            {
                return double.PositiveInfinity;
            }

            worst = Math.Max(worst, e);
        }

        return worst;
    }
}
