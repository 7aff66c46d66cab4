using IlgpuCnn.Autograd;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Training;
using IlgpuCnn.Benchmarks.Toolchain;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>Stream operations of one op of the step, counted on the CPU accelerator.</summary>
internal sealed record CountedOps(string Layer, string Pass, long Launches, long MemSets);

/// <summary>What <see cref="StepCounter"/> counted.</summary>
internal sealed record StepCount(long TrainLaunches, long TrainMemSets, long ValidationLaunches, long ValidationMemSets, IReadOnlyList<CountedOps> PerOp, string Setup);

/// <summary>
/// Counts the kernel launches and memsets of a real training step (<see cref="Trainer.TrainStep"/>)
/// and of a validation batch on the GPU-shaped CPU accelerator, with the conv and dense layers set
/// to the plan of an H100 (so the count is CUDA's; it does not depend on batch or
/// width, so a tiny model keeps the simulator fast). Launches are read from the CPU accelerator's
/// per-launch completion barrier (ILGPU 1.5.3 internals, checked by a test), memsets from
/// <see cref="ComputeDevice.MemSets"/>. The step is also split per op (forward per layer, backward
/// per op through the tape observer <c>bench</c> uses) and the parts must add up to the whole.
/// </summary>
internal static class StepCounter
{
    public const double Width = 0.0625;
    public const int Batch = 1;

    public static StepCount Count()
    {
        using var device = ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true);
        var launches = CpuLaunchCounter.For(device);
        using var model = VggModel.Create(device, Width, 0);
        foreach (var layer in model.Network.Layers)
        {
            if (layer is Conv2d c)
            {
                c.PlanFor = StepModel.Gpu;
            }
            else if (layer is Dense d)
            {
                d.PlanFor = StepModel.Gpu;
            }
        }

        int rows = 10 * Batch;
        var rng = new Random(1);
        var images = new float[rows * CifarDataset.ImageFloats];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)rng.NextDouble();
        }

        var data = new CifarDataset(images, Enumerable.Range(0, rows).Select(i => i % 10).ToArray(), "synthetic");
        var options = new TrainingOptions { BatchSize = Batch, Width = Width, Epochs = 1 };

        // The whole step as the trainer runs it (its upload of the epoch's order is a copy: neither a launch nor a memset).
        long trainLaunches, trainMemSets;
        using (var trainer = new Trainer(device, model, options, data))
        {
            long l0 = launches(), m0 = device.MemSets;
            trainer.TrainStep(0, 0);
            trainLaunches = launches() - l0;
            trainMemSets = device.MemSets - m0;
        }

        // The same step op by op.
        var perOp = new List<CountedOps>();
        using var raw = Tensor.Allocate(device, VggModel.InputShape(Batch), false);
        using var input = Tensor.Allocate(device, VggModel.InputShape(Batch), false);
        using var labels = device.Accelerator.Allocate1D<int>(Batch);
        using var resident = new DeviceDataset(device, data);
        var augmentation = Augmentation.For(device);
        var tape = new GradientTape(device);
        var optimizer = new AdamW(device, model.Store);
        void Measure(string layer, string pass, Action a)
        {
            long l = launches(), m = device.MemSets;
            a();
            perOp.Add(new CountedOps(layer, pass, launches() - l, device.MemSets - m));
        }

        Measure("input", "gather", () => resident.Gather(0, Batch, raw.View, labels.View));
        Measure("input", "augment", () => augmentation.Apply(raw.View, input.View, Batch, 0, 0, 1));
        tape.Begin(ForwardPass.Training(0, optimizer.Iterations));
        var x = input;
        foreach (var layer in model.Network.Layers)
        {
            var current = x;
            Measure(layer.Name, "forward", () => x = layer.Forward(current, tape));
        }

        Tensor? loss = null;
        Measure("loss", "forward", () => loss = model.Loss.Forward(x, labels.View, tape));
        var observer = new Observer(launches, device);
        tape.Observer = observer;
        long bl = launches(), bm = device.MemSets;
        tape.Backward(loss!);
        long backwardLaunches = launches() - bl, backwardMemSets = device.MemSets - bm;
        tape.Observer = null;
        perOp.Add(new CountedOps("tape", "seed", backwardLaunches - observer.Ops.Sum(o => o.Launches), backwardMemSets - observer.Ops.Sum(o => o.MemSets)));
        perOp.AddRange(observer.Ops);
        Measure("adamw", "step", optimizer.Step);

        // A validation batch: gather and the inference forward with the loss.
        long vl = launches(), vm = device.MemSets;
        resident.Gather(0, Batch, raw.View, labels.View);
        tape.Begin(ForwardPass.Inference);
        model.ForwardLoss(raw, labels.View, tape);
        long valLaunches = launches() - vl, valMemSets = device.MemSets - vm;

        long sumL = perOp.Sum(o => o.Launches), sumM = perOp.Sum(o => o.MemSets);
        if (sumL != trainLaunches || sumM != trainMemSets)
        {
            throw new InvalidOperationException($"the per-op count ({sumL} launches, {sumM} memsets) does not add up to the trainer's step ({trainLaunches}, {trainMemSets}); the profile's step no longer matches Trainer.TrainStep.");
        }

        string setup = $"Trainer.TrainStep on the GPU-shaped CPU accelerator (CPUDevice.Nvidia), width {Width}, batch {Batch}, conv/dense layers on the kernel plan of an H100";
        return new StepCount(trainLaunches, trainMemSets, valLaunches, valMemSets, perOp, setup);
    }

    private sealed class Observer : IBackwardObserver
    {
        private readonly Func<long> _launches;
        private readonly ComputeDevice _device;
        private long _l;
        private long _m;

        public Observer(Func<long> launches, ComputeDevice device)
        {
            _launches = launches;
            _device = device;
        }

        public List<CountedOps> Ops { get; } = new();

        public void Before(IBackward op)
        {
            _l = _launches();
            _m = _device.MemSets;
        }

        public void After(IBackward op) =>
            Ops.Add(new CountedOps(op is ILayer layer ? layer.Name : "loss", "backward", _launches() - _l, _device.MemSets - _m));
    }
}
