using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// One stream operation of the step as it runs on CUDA: which kernel (or a memset), its grid,
/// and the work it does. <see cref="Iterations"/> is the per-thread trip count of the kernel's
/// work loop (K steps per group for a tiled GEMM).
/// </summary>
internal sealed record ModelLaunch(string Layer, string Pass, string Kernel, long Blocks, int Threads, double Flops, double Bytes, double Iterations)
{
    public bool IsMemSet => Kernel == StepModel.MemSet;

    /// <summary>A per-channel reduction's finishing groups (<see cref="ChannelSlices"/>: one per channel, after the slices; null: none).</summary>
    public FinishPhase? Finish { get; init; }

    /// <summary>The plan of a conv or dense pass (null for other launches).</summary>
    public KernelPlan? Plan { get; init; }

    /// <summary>Bytes read again after their first read in the same launch (a channel reduction's later passes: L2 hits), beyond the compulsory <see cref="Bytes"/>.</summary>
    public double Reread { get; init; }

    /// <summary>Trips per thread of the kernel's staging loop before its work loop (<see cref="KernelProfile.StagingCode"/>; 0: none modelled).</summary>
    public double StagingTrips { get; init; }

    /// <summary>Its operands' cache lines per warp load and its atomics.</summary>
    public LaunchTraffic Traffic { get; init; } = LaunchTraffic.None;
}

/// <summary>The second phase of a launch: <paramref name="Blocks"/> groups each running <paramref name="Iterations"/> trips of the work loop.</summary>
internal sealed record FinishPhase(long Blocks, double Iterations);

/// <summary>
/// The launches of a training step (and of a validation batch) of the VGG model on CUDA, derived
/// from the layers' shapes: conv and dense passes from <see cref="KernelPlanner"/>'s plans for
/// <see cref="DeviceFigures.H100"/> (the kernels' own plan), the rest with the launch helpers the
/// kernels use (<see cref="ChannelReduce"/>, grid-stride thread counts). The launch COUNTS are checked against
/// a real step counted on the CPU accelerator; grids, FLOPs and bytes come from here.
/// </summary>
internal sealed class StepModel
{
    public const string MemSet = "memset";

    /// <summary>The pseudo-layer of the first launch of a forward pass: the conv weights' transposed copies (<see cref="ConvForwardCopies"/>).</summary>
    public const string ConvCopies = "conv-copies";

    /// <summary>The device whose kernel plan the model reads.</summary>
    public static readonly DeviceFigures Gpu = DeviceFigures.H100;
    private const int F = sizeof(float);
    private readonly Func<string, KernelProfile> _kernel;
    private readonly ComputeDevice _device;
    private readonly List<ModelLaunch> _launches = new();
    private string _layer = string.Empty;
    private string _pass = string.Empty;

    private StepModel(Func<string, KernelProfile> kernel, ComputeDevice device) => (_kernel, _device) = (kernel, device);

    /// <summary>Launches of one training step: gather, augmentation, forward, loss, backward, AdamW (which zeroes the gradients it consumed).</summary>
    public static List<ModelLaunch> TrainingStep(VggModel model, int batch, Func<string, KernelProfile> kernel, ComputeDevice device)
    {
        var m = new StepModel(kernel, device);
        m.Input(batch, augment: true);
        var shapes = m.Forward(model, batch, training: true);
        m.Backward(model, shapes);
        m.At("adamw", "step");
        long p = model.Store.TrainableCount;
        m.GridStride("AdamWKernels.StepKernel", p, 8.0 * p * F, 12.0 * p);
        return m._launches;
    }

    /// <summary>Launches of one validation batch: gather and the inference forward with the loss.</summary>
    public static List<ModelLaunch> ValidationBatch(VggModel model, int batch, Func<string, KernelProfile> kernel, ComputeDevice device)
    {
        var m = new StepModel(kernel, device);
        m.Input(batch, augment: false);
        m.Forward(model, batch, training: false);
        return m._launches;
    }

    private void At(string layer, string pass)
    {
        _layer = layer;
        _pass = pass;
    }

    private void Add(string kernel, long blocks, int threads, double flops, double bytes, double iterations) =>
        _launches.Add(new ModelLaunch(_layer, _pass, kernel, blocks, threads, flops, bytes, iterations));

    /// <summary>An auto-grouped grid-stride kernel over <paramref name="n"/> items (one thread each, up to 2^20 threads).</summary>
    private void GridStride(string kernel, long n, double bytes, double flops = 0)
    {
        long threads = Math.Max(1, Math.Min(n, 1L << 20));
        int group = _kernel(kernel).GroupSize;
        Add(kernel, (threads + group - 1) / group, group, flops, bytes, Math.Ceiling((double)n / threads));
    }

    /// <summary>An auto-grouped kernel with one thread per item, each looping <paramref name="iterations"/> times.</summary>
    private void PerItem(string kernel, long items, double iterations, double bytes, double flops = 0)
    {
        int group = _kernel(kernel).GroupSize;
        Add(kernel, (items + group - 1) / group, group, flops, bytes, iterations);
    }

    /// <summary>A conv or dense pass as its plan launches it (a memset first where the plan zeroes its output).</summary>
    private void Planned(KernelPlan plan, long outputFloats, double bytes, LaunchTraffic traffic)
    {
        if (plan.ZeroesOutput)
        {
            Memset(outputFloats); // split-K adds atomically into a zeroed output
        }

        double flops = 2.0 * plan.M * plan.N * plan.K;
        if (plan.Body == KernelBody.Simple)
        {
            PerItem(plan.Kernel, plan.Threads, 1, bytes, flops);
            _launches[^1] = _launches[^1] with { Plan = plan, Traffic = traffic };
            return;
        }

        var cfg = plan.Config;
        long blocks = (long)cfg.GridDim.X * cfg.GridDim.Y * cfg.GridDim.Z;
        if (plan is { Body: KernelBody.Direct, Geometry: { } g })
        {
            // the K loop's trips: K k's, DirectConv.FfmaPerK FFMA each, as many per trip as ptxas unrolled;
            // the window's staging loop: StageUnroll elements per thread per trip
            int window = g.Ci * DirectConv.WindowHeight(g) * DirectConv.WindowWidth(g);
            double perTrip = Math.Max(1, _kernel(plan.Kernel).PerIteration.Ffma / (double)DirectConv.FfmaPerK);
            double staging = Math.Ceiling(window / (double)(DirectConv.StageUnroll * DirectConv.GroupSize));
            Add(plan.Kernel, blocks, cfg.GroupDim.X, flops, bytes, plan.K / perTrip);
            _launches[^1] = _launches[^1] with { Plan = plan, Traffic = traffic, StagingTrips = staging };
            return;
        }

        Add(plan.Kernel, blocks, cfg.GroupDim.X, flops, bytes, Math.Ceiling(Math.Min(plan.Slice, plan.K) / (double)plan.TileK));
        _launches[^1] = _launches[^1] with { Plan = plan, Traffic = traffic };
    }

    /// <summary>
    /// A per-channel reduction as CUDA launches it: groups of <see cref="ChannelReduce.Fit"/> threads,
    /// <see cref="ChannelReduce.Slices"/> per channel each running <paramref name="slicePasses"/>
    /// passes over its slice, then the channel's last group <paramref name="finishPasses"/> over the
    /// whole channel (one slice: one group per channel runs them all).
    /// </summary>
    private void ChannelReduction(string kernel, int channels, long perChannel, int slicePasses, int finishPasses, double bytes, double reread)
    {
        int group = ChannelReduce.Fit(ChannelReduce.MaxGroup, perChannel);
        int slices = ChannelReduce.Slices(Gpu, channels, perChannel, group);
        double Trips(long values) => Math.Ceiling(values / (double)(group * ChannelReduce.ValuesPerTrip));
        if (slices == 1)
        {
            Add(kernel, channels, group, 0, bytes, (slicePasses + finishPasses) * Trips(perChannel));
            _launches[^1] = _launches[^1] with { Reread = reread };
            return;
        }

        Add(kernel, (long)channels * slices, group, 0, bytes, slicePasses * Trips((perChannel + slices - 1) / slices));
        _launches[^1] = _launches[^1] with { Finish = new FinishPhase(channels, finishPasses * Trips(perChannel)), Reread = reread };
    }

    private void Memset(long floats) => Add(MemSet, 0, 0, 0, floats * F, 0);

    private void Input(int batch, bool augment)
    {
        long floats = (long)batch * CifarDataset.ImageFloats;
        At("input", "gather");
        GridStride("BatchGather.GatherKernel", floats, 2.0 * floats * F);
        if (augment)
        {
            At("input", "augment");
            PerItem("Augmentation.RandomKernel", (long)batch * CifarDataset.ImageSize * CifarDataset.ImageSize, 1, 2.0 * floats * F);
        }
    }

    private List<(ILayer Layer, Shape In, Shape Out)> Forward(VggModel model, int batch, bool training)
    {
        var shapes = new List<(ILayer, Shape, Shape)>();
        var s = VggModel.InputShape(batch);
        ConvCopiesOf(model, s);
        foreach (var layer in model.Network.Layers)
        {
            var o = layer.OutputShape(s);
            At(layer.Name, "forward");
            ForwardOf(layer, s, o, training);
            shapes.Add((layer, s, o));
            s = o;
        }

        At("loss", "forward");
        // One launch: a thread per row (three loops of ⌈classes/4⌉ trips: max, Σexp, probabilities),
        // then the last group's ordered Σloss/Σcorrect (⌈batch/4⌉ trips of shared loads in one
        // thread: not in the hot loop, so not modelled; ~16 trips at batch 64).
        int group = SoftmaxCrossEntropyKernels.MaxGroup;
        Add("SoftmaxCrossEntropyKernels.ForwardKernel", (batch + group - 1) / group, group, 0, ((3.0 * model.Classes) + 3) * batch * F, 3 * Math.Ceiling(model.Classes / 4.0));
        return shapes;
    }

    /// <summary>
    /// The conv weights' transposed copies (<see cref="ConvWeightCopies.Refresh"/>): one grid-stride
    /// launch over all conv kernels' weights, when any conv forward plan reads it (KernelPlan.ReadsWeightsCopy: a GEMM or Direct body); it reads
    /// and writes every conv kernel once.
    /// </summary>
    private void ConvCopiesOf(VggModel model, Shape input)
    {
        var convs = new List<(Conv2d Conv, ConvGeometry G)>();
        foreach (var layer in model.Network.Layers)
        {
            if (layer is Conv2d c)
            {
                convs.Add((c, Geometry(c, input)));
            }

            input = layer.OutputShape(input);
        }

        if (!convs.Any(c => KernelPlanner.Conv(KernelPass.Forward, c.G, Gpu).ReadsWeightsCopy))
        {
            return;
        }

        long weights = convs.Sum(c => (long)c.G.Co * c.G.Ci * c.G.KH * c.G.KW);
        At(ConvCopies, "forward");
        GridStride("Conv2dKernels.TransposeWeightsKernel", weights, 2.0 * weights * F);
    }

    /// <summary>The launches of one layer's forward, input shape <paramref name="s"/>, output <paramref name="o"/>.</summary>
    private void ForwardOf(ILayer layer, Shape s, Shape o, bool training)
    {
        long inLen = s.Length, outLen = o.Length;
        switch (layer)
        {
            case Conv2d c:
            {
                var g = Geometry(c, s);
                int k = g.Ci * g.KH * g.KW;
                Conv(KernelPass.Forward, g, outLen, (inLen + outLen + ((long)k * g.Co) + g.Co) * F);
                break;
            }

            case BatchNormLayer bn:
                BatchNormForward(bn, inLen, training);
                break;
            case MaxPoolLayer:
                GridStride("MaxPoolKernels.ForwardKernel", outLen, (inLen + (2.0 * outLen)) * F, 4.0 * outLen);
                break;
            case GlobalAvgPool:
                PerItem("GlobalAvgPoolKernels.ForwardKernel", outLen, s.H * s.W, (inLen + outLen) * F, inLen);
                break;
            case Dense d:
                Dense(KernelPass.Forward, s.N, d, outLen, (inLen + outLen + ((long)d.InFeatures * d.OutFeatures)) * F);
                break;
            case IlgpuCnn.Layers.Dropout when training:
                GridStride("DropoutKernels.ForwardKernel", inLen, 2.0 * inLen * F, inLen);
                break;
            case IlgpuCnn.Layers.Dropout:
                break;
            default:
                throw new InvalidOperationException($"the static profile has no launch model for layer {layer.Name} ({layer.GetType().Name})");
        }
    }

    private void BatchNormForward(BatchNormLayer bn, long inLen, bool training)
    {
        long per = inLen / bn.Channels;
        if (training)
        {
            // statistics (two passes) and the normalised output (a third) in one launch: x read 3 times (twice more
            // than compulsory), y written once
            ChannelReduction("BatchNormKernels.StatsKernel", bn.Channels, per, 2, 1, 2.0 * inLen * F, 2.0 * inLen * F);
        }
        else
        {
            PerItem("BatchNormKernels.InferenceStatsKernel", bn.Channels, 1, 4.0 * bn.Channels * F);
            GridStride("BatchNormKernels.NormalizeKernel", inLen, 2.0 * inLen * F, 3.0 * inLen);
        }
    }

    private void Backward(VggModel model, List<(ILayer Layer, Shape In, Shape Out)> shapes)
    {
        At("tape", "seed"); // parameter gradients were zeroed by the last AdamW step; activation gradients are written (=) by their one consumer: no memsets
        GridStride("TensorKernels.FillKernel", 1, F);
        int n = shapes[0].In.N;
        At("loss", "backward");
        GridStride("SoftmaxCrossEntropyKernels.BackwardKernel", (long)n * model.Classes, 3.0 * n * model.Classes * F);
        for (int i = shapes.Count - 1; i >= 0; i--)
        {
            var (layer, s, o) = shapes[i];
            At(layer.Name, "backward");
            BackwardOf(layer, s, o, dx: i > 0);
        }
    }

    /// <summary>The launches of one layer's backward (<paramref name="dx"/>: it also computes its input's gradient).</summary>
    private void BackwardOf(ILayer layer, Shape s, Shape o, bool dx)
    {
        long inLen = s.Length, outLen = o.Length;
        switch (layer)
        {
            case Conv2d c:
                ConvBackward(Geometry(c, s), inLen, outLen, dx);
                break;
            case BatchNormLayer bn:
                // sums, then dx of the channel, in one launch: dy, x and y (the ReLU mask) read twice, dx written once
                ChannelReduction("BatchNormKernels.BackwardSumsKernel", bn.Channels, inLen / bn.Channels, 1, 1, 4.0 * inLen * F, 3.0 * inLen * F);
                break;
            case MaxPoolLayer:
                GridStride("MaxPoolKernels.BackwardKernel", outLen, (3.0 * outLen + (2.0 * outLen)) * F, outLen);
                break;
            case GlobalAvgPool:
                GridStride("GlobalAvgPoolKernels.BackwardKernel", inLen, (outLen + (2.0 * inLen)) * F, inLen);
                break;
            case Dense d:
                DenseBackward(s.N, d, inLen, outLen, dx);
                break;
            case IlgpuCnn.Layers.Dropout:
                GridStride("DropoutKernels.BackwardKernel", inLen, 3.0 * inLen * F, inLen);
                break;
        }
    }

    private void ConvBackward(ConvGeometry g, long inLen, long outLen, bool dx)
    {
        long w = (long)g.Co * g.Ci * g.KH * g.KW;
        if (dx)
        {
            Conv(KernelPass.BackwardData, g, inLen, (outLen + w + (2.0 * inLen)) * F);
        }

        Conv(KernelPass.BackwardWeights, g, 0, (inLen + outLen + (2.0 * w)) * F);
    }

    private void DenseBackward(int n, Dense d, long inLen, long outLen, bool dx)
    {
        long w = (long)d.InFeatures * d.OutFeatures;
        if (dx)
        {
            Dense(KernelPass.BackwardData, n, d, inLen, (outLen + w + (2.0 * inLen)) * F);
        }

        Dense(KernelPass.BackwardWeights, n, d, 0, (inLen + outLen + (2.0 * w)) * F);
    }

    private void Conv(KernelPass pass, ConvGeometry g, long outputFloats, double bytes)
    {
        var plan = KernelPlanner.Conv(pass, g, Gpu);
        Planned(plan, outputFloats, bytes, OperandTraffic.Conv(plan, g, _device));
    }

    private void Dense(KernelPass pass, int n, Dense d, long outputFloats, double bytes)
    {
        var plan = KernelPlanner.Dense(pass, n, d.InFeatures, d.OutFeatures, Gpu);
        Planned(plan, outputFloats, bytes, OperandTraffic.Dense(plan, n, d.InFeatures, d.OutFeatures, _device));
    }

    private static ConvGeometry Geometry(Conv2d c, Shape s) =>
        new(s.N, c.InChannels, s.H, s.W, c.OutChannels, c.KernelSize, c.KernelSize, c.Stride, c.Padding);
}
