using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>Time of one op in a profiled training step.</summary>
/// <param name="Name">layer (or pipeline stage) name</param>
/// <param name="Kind">layer type</param>
/// <param name="ForwardMs">forward time per step</param>
/// <param name="BackwardMs">backward time per step</param>
/// <param name="Bodies">for a conv or dense layer, the kernel plan's bodies of forward / backward-data / backward-weights (e.g. "Run32 / Run32 / Run64"); else "-"</param>
public sealed record OpTime(string Name, string Kind, double ForwardMs, double BackwardMs, string Bodies = "-");

/// <summary>Throughput figures of the recipe's training step on one device.</summary>
public sealed record ThroughputReport(string Device, int BatchSize, double Width, int Steps, double TrainImagesPerSecond, double InferenceImagesPerSecond, double MillisecondsPerStep, IReadOnlyList<OpTime> Ops)
{
    /// <summary>Seconds for one epoch of the recipe (40,000 training images) at this training rate.</summary>
    public double SecondsPerRecipeEpoch => 40_000 / TrainImagesPerSecond;
}

/// <summary>
/// Measures the training step on synthetic data already on the device: images/s of whole steps
/// (no synchronisation inside), images/s of inference, and a profile that synchronises around
/// every op (so the per-op times add up to a slower step than the unprofiled one).
/// </summary>
public static class Throughput
{
    public static ThroughputReport Measure(ComputeDevice device, int batchSize, int steps, double width = 1.0, uint seed = 0)
    {
        if (batchSize < 1 || steps < 1)
        {
            throw new UserError($"bench needs --batch-size and --steps of at least 1, but got {batchSize} and {steps}.");
        }

        TrainingOptions.RequireWidth(width);
        MemoryEstimate.Require(device, MemoryEstimate.TrainingBytes(width, batchSize), $"bench at --width {width.ToString(System.Globalization.CultureInfo.InvariantCulture)} with --batch-size {batchSize:N0}", "lower --batch-size or --width");
        using var run = new BenchRun(device, batchSize, width, seed);
        for (int i = 0; i < Math.Min(3, steps); i++)
        {
            run.TrainStep(i); // warm-up: kernels compiled, buffers touched
        }

        double trainSeconds = Seconds(device, steps, run.TrainStep);
        double inferSeconds = Seconds(device, steps, _ => run.InferenceStep());
        var ops = Profile(run, Math.Min(steps, 5));
        return new ThroughputReport(device.Name, batchSize, width, steps, batchSize * steps / trainSeconds, batchSize * steps / inferSeconds, trainSeconds * 1000 / steps, ops);
    }

    /// <summary>Seconds for <paramref name="steps"/> calls of <paramref name="step"/>, synchronised only before and after.</summary>
    private static double Seconds(ComputeDevice device, int steps, Action<int> step)
    {
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            step(i);
        }

        device.Synchronize();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Milliseconds per step of each op, synchronising around every one.</summary>
    private static List<OpTime> Profile(BenchRun run, int steps)
    {
        var device = run.Device;
        var model = run.Model;
        var forward = new Dictionary<string, double>();
        var timer = new OpTimer(device);
        run.Tape.Observer = timer;
        double augmentMs = 0, lossMs = 0, optimizerMs = 0, backwardMs = 0;
        for (int s = 0; s < steps; s++)
        {
            int step = s;
            augmentMs += Time(device, () => run.Augment(1, step));
            run.Tape.Begin(ForwardPass.Training(run.Seed, run.Optimizer.Iterations));
            var x = run.Input;
            foreach (var layer in model.Network.Layers)
            {
                var current = x;
                forward[layer.Name] = forward.GetValueOrDefault(layer.Name) + Time(device, () => x = layer.Forward(current, run.Tape));
            }

            Tensor? loss = null;
            lossMs += Time(device, () => loss = model.Loss.Forward(x, run.Labels.View, run.Tape));
            backwardMs += Time(device, () => run.Tape.Backward(loss!));
            optimizerMs += Time(device, run.Optimizer.Step);
        }

        run.Tape.Observer = null;
        var ops = new List<OpTime> { new("augmentation", "Augmentation", augmentMs / steps, 0) };
        var plans = RecipePlans.For(device.Figures, model.Width, run.Input.Shape.N).ToDictionary(p => p.Layer, p => p.Bodies);
        ops.AddRange(model.Network.Layers.Select(layer => new OpTime(layer.Name, layer.GetType().Name, forward[layer.Name] / steps, timer.Backward.GetValueOrDefault(layer) / steps, plans.GetValueOrDefault(layer.Name, "-"))));
        ops.Add(new OpTime("loss", "SoftmaxCrossEntropy", lossMs / steps, timer.Backward.GetValueOrDefault(model.Loss) / steps));
        ops.Add(new OpTime("tape", "GradientTape (seed)", 0, (backwardMs - timer.Total) / steps));
        ops.Add(new OpTime("adamw", "AdamW", optimizerMs / steps, 0));
        return ops;
    }

    private static double Time(ComputeDevice device, Action action)
    {
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        action();
        device.Synchronize();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>A model, its optimizer and one synthetic batch (random pixels, labels 0, 1, 2, ...) on the device.</summary>
    private sealed class BenchRun : IDisposable
    {
        private readonly Tensor _raw;
        private readonly Augmentation _augmentation;

        public BenchRun(ComputeDevice device, int batchSize, double width, uint seed)
        {
            Device = device;
            Seed = seed;
            Model = VggModel.Create(device, width, seed);
            var rng = new Random((int)seed);
            var pixels = new float[batchSize * CifarDataset.ImageFloats];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (float)rng.NextDouble();
            }

            _raw = Tensor.FromHost(device, VggModel.InputShape(batchSize), pixels);
            Input = Tensor.Allocate(device, _raw.Shape, false);
            Labels = device.Accelerator.Allocate1D(Enumerable.Range(0, batchSize).Select(i => i % Model.Classes).ToArray());
            _augmentation = Augmentation.For(device);
            Tape = new GradientTape(device);
            Optimizer = new AdamW(device, Model.Store);
        }

        public ComputeDevice Device { get; }

        public uint Seed { get; }

        public VggModel Model { get; }

        public Tensor Input { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Labels { get; }

        public GradientTape Tape { get; }

        public AdamW Optimizer { get; }

        public void Augment(int epoch, int step) => _augmentation.Apply(_raw.View, Input.View, _raw.Shape.N, Seed, epoch, step);

        public void TrainStep(int step)
        {
            Augment(0, step);
            Tape.Begin(ForwardPass.Training(Seed, Optimizer.Iterations));
            Tape.Backward(Model.ForwardLoss(Input, Labels.View, Tape));
            Optimizer.Step();
        }

        public void InferenceStep()
        {
            Tape.Begin(ForwardPass.Inference);
            Model.ForwardLoss(_raw, Labels.View, Tape);
        }

        public void Dispose()
        {
            Labels.Dispose();
            Input.Dispose();
            _raw.Dispose();
            Model.Dispose();
        }
    }

    private sealed class OpTimer : IBackwardObserver
    {
        private readonly ComputeDevice _device;
        private readonly Stopwatch _clock = new();

        public OpTimer(ComputeDevice device) => _device = device;

        public Dictionary<object, double> Backward { get; } = new();

        public double Total => Backward.Values.Sum();

        public void Before(IBackward op)
        {
            _device.Synchronize();
            _clock.Restart();
        }

        public void After(IBackward op)
        {
            _device.Synchronize();
            Backward[op] = Backward.GetValueOrDefault(op) + _clock.Elapsed.TotalMilliseconds;
        }
    }
}
