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
        using var model = GpuPlannedModel(device);
        var data = SyntheticData(10 * Batch);
        var options = new TrainingOptions { BatchSize = Batch, Width = Width, Epochs = 1 };

        // The whole step as the trainer runs it (its upload of the epoch's order is a copy: neither a launch nor a memset).
        var (trainLaunches, trainMemSets) = Counted(launches, device, () =>
        {
            using var trainer = new Trainer(device, model, options, data);
            trainer.TrainStep(0, 0);
        });
        using var run = new OpRun(device, model, data, launches);
        var perOp = run.CountPerOp();
        var (valLaunches, valMemSets) = Counted(launches, device, run.ValidationBatch);
        long sumL = perOp.Sum(o => o.Launches), sumM = perOp.Sum(o => o.MemSets);
        if (sumL != trainLaunches || sumM != trainMemSets)
        {
            throw new InvalidOperationException($"the per-op count ({sumL} launches, {sumM} memsets) does not add up to the trainer's step ({trainLaunches}, {trainMemSets}); the profile's step no longer matches Trainer.TrainStep.");
        }

        string setup = $"Trainer.TrainStep on the GPU-shaped CPU accelerator (CPUDevice.Nvidia), width {Width}, batch {Batch}, conv/dense layers on the kernel plan of an H100";
        return new StepCount(trainLaunches, trainMemSets, valLaunches, valMemSets, perOp, setup);
    }

    /// <summary>Launches and memsets of one action.</summary>
    private static (long Launches, long MemSets) Counted(Func<long> launches, ComputeDevice device, Action a)
    {
        long l = launches(), m = device.MemSets;
        a();
        return (launches() - l, device.MemSets - m);
    }

    /// <summary>The tiny VGG with its conv and dense layers on the plan of <see cref="StepModel.Gpu"/>.</summary>
    private static VggModel GpuPlannedModel(ComputeDevice device)
    {
        var model = VggModel.Create(device, Width, 0);
        model.UsePlan(StepModel.Gpu);
        return model;
    }

    private static CifarDataset SyntheticData(int rows)
    {
        var rng = new Random(1);
        var images = new float[rows * CifarDataset.ImageFloats];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)rng.NextDouble();
        }

        return new CifarDataset(images, Enumerable.Range(0, rows).Select(i => i % 10).ToArray(), "synthetic");
    }

    /// <summary>The step op by op (input, the conv weights' transposed copies, each layer's forward, the loss, each backward op through the tape observer, AdamW), and a validation batch.</summary>
    private sealed class OpRun : IDisposable
    {
        private readonly ComputeDevice _device;
        private readonly VggModel _model;
        private readonly Func<long> _launches;
        private readonly Tensor _raw;
        private readonly Tensor _input;
        private readonly ILGPU.Runtime.MemoryBuffer1D<int, ILGPU.Stride1D.Dense> _labels;
        private readonly DeviceDataset _resident;
        private readonly GradientTape _tape;
        private readonly List<CountedOps> _ops = new();

        public OpRun(ComputeDevice device, VggModel model, CifarDataset data, Func<long> launches)
        {
            (_device, _model, _launches) = (device, model, launches);
            _raw = Tensor.Allocate(device, VggModel.InputShape(Batch), false);
            _input = Tensor.Allocate(device, VggModel.InputShape(Batch), false);
            _labels = device.Accelerator.Allocate1D<int>(Batch);
            _resident = new DeviceDataset(device, data);
            _tape = new GradientTape(device);
        }

        public List<CountedOps> CountPerOp()
        {
            var augmentation = Augmentation.For(_device);
            var optimizer = new AdamW(_device, _model.Store);
            Measure("input", "gather", () => _resident.Gather(0, Batch, _raw.View, _labels.View));
            Measure("input", "augment", () => augmentation.Apply(_raw.View, _input.View, Batch, 0, 0, 1));
            _tape.Begin(ForwardPass.Training(0, optimizer.Iterations));
            Measure(StepModel.ConvCopies, "forward", () => _model.Network.WriteConvCopies(_input.Shape));
            var x = _input;
            foreach (var layer in _model.Network.Layers)
            {
                var current = x;
                Measure(layer.Name, "forward", () => x = layer.Forward(current, _tape));
            }

            Tensor? loss = null;
            Measure("loss", "forward", () => loss = _model.Loss.Forward(x, _labels.View, _tape));
            Backward(loss!);
            Measure("adamw", "step", optimizer.Step);
            return _ops;
        }

        /// <summary>A validation batch: gather and the inference forward with the loss.</summary>
        public void ValidationBatch()
        {
            _resident.Gather(0, Batch, _raw.View, _labels.View);
            _tape.Begin(ForwardPass.Inference);
            _model.ForwardLoss(_raw, _labels.View, _tape);
        }

        public void Dispose()
        {
            _resident.Dispose();
            _labels.Dispose();
            _input.Dispose();
            _raw.Dispose();
        }

        private void Backward(Tensor loss)
        {
            var observer = new Observer(_launches, _device);
            _tape.Observer = observer;
            var (launches, memSets) = Counted(_launches, _device, () => _tape.Backward(loss));
            _tape.Observer = null;
            _ops.Add(new CountedOps("tape", "seed", launches - observer.Ops.Sum(o => o.Launches), memSets - observer.Ops.Sum(o => o.MemSets)));
            _ops.AddRange(observer.Ops);
        }

        private void Measure(string layer, string pass, Action a)
        {
            var (l, m) = Counted(_launches, _device, a);
            _ops.Add(new CountedOps(layer, pass, l, m));
        }
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
