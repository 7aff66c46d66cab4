using System.Diagnostics;
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
public sealed record OpTime(string Name, string Kind, double ForwardMs, double BackwardMs);

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
        using var model = VggModel.Create(device, width, seed);
        var rng = new Random((int)seed);
        var host = new float[batchSize * CifarDataset.ImageFloats];
        for (int i = 0; i < host.Length; i++)
        {
            host[i] = (float)rng.NextDouble();
        }

        var labelsHost = Enumerable.Range(0, batchSize).Select(i => i % model.Classes).ToArray();
        using var raw = Tensor.FromHost(device, VggModel.InputShape(batchSize), host);
        using var input = Tensor.Allocate(device, raw.Shape, false);
        using var labels = device.Accelerator.Allocate1D(labelsHost);
        var augmentation = Augmentation.For(device);
        var tape = new GradientTape(device);
        var optimizer = new AdamW(device, model.Store);

        void Step(int i)
        {
            augmentation.Apply(raw.View, input.View, batchSize, seed, 0, i);
            tape.Begin(ForwardPass.Training(seed, optimizer.Iterations));
            var loss = model.ForwardLoss(input, labels.View, tape);
            tape.Backward(loss);
            optimizer.Step();
        }

        int warmup = Math.Min(3, steps);
        for (int i = 0; i < warmup; i++)
        {
            Step(i);
        }

        device.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            Step(i);
        }

        device.Synchronize();
        double trainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        for (int i = 0; i < steps; i++)
        {
            tape.Begin(ForwardPass.Inference);
            model.ForwardLoss(raw, labels.View, tape);
        }

        device.Synchronize();
        double inferSeconds = clock.Elapsed.TotalSeconds;

        var ops = Profile(device, model, raw, input, labels.View, augmentation, tape, optimizer, Math.Min(steps, 5), seed);
        return new ThroughputReport(device.Name, batchSize, width, steps, batchSize * steps / trainSeconds, batchSize * steps / inferSeconds, trainSeconds * 1000 / steps, ops);
    }

    private static List<OpTime> Profile(ComputeDevice device, VggModel model, Tensor raw, Tensor input, ILGPU.ArrayView<int> labels, Augmentation augmentation, GradientTape tape, AdamW optimizer, int steps, uint seed)
    {
        var forward = new Dictionary<string, double>();
        var timer = new OpTimer(device);
        tape.Observer = timer;
        double augmentMs = 0, lossMs = 0, optimizerMs = 0, backwardMs = 0;
        var clock = new Stopwatch();
        double Time(Action a)
        {
            device.Synchronize();
            clock.Restart();
            a();
            device.Synchronize();
            return clock.Elapsed.TotalMilliseconds;
        }

        for (int s = 0; s < steps; s++)
        {
            augmentMs += Time(() => augmentation.Apply(raw.View, input.View, raw.Shape.N, seed, 1, s));
            tape.Begin(ForwardPass.Training(seed, optimizer.Iterations));
            var x = input;
            foreach (var layer in model.Network.Layers)
            {
                var current = x;
                forward[layer.Name] = forward.GetValueOrDefault(layer.Name) + Time(() => x = layer.Forward(current, tape));
            }

            Tensor? loss = null;
            lossMs += Time(() => loss = model.Loss.Forward(x, labels, tape));
            backwardMs += Time(() => tape.Backward(loss!));
            optimizerMs += Time(optimizer.Step);
        }

        tape.Observer = null;
        var ops = new List<OpTime> { new("augmentation", "Augmentation", augmentMs / steps, 0) };
        foreach (var layer in model.Network.Layers)
        {
            ops.Add(new OpTime(layer.Name, layer.GetType().Name, forward[layer.Name] / steps, timer.Backward.GetValueOrDefault(layer) / steps));
        }

        ops.Add(new OpTime("loss", "SoftmaxCrossEntropy", lossMs / steps, timer.Backward.GetValueOrDefault(model.Loss) / steps));
        ops.Add(new OpTime("tape", "GradientTape (seed)", 0, (backwardMs - timer.Total) / steps));
        ops.Add(new OpTime("adamw", "AdamW", optimizerMs / steps, 0));
        return ops;
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
