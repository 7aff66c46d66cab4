using ILGPU;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Models;

/// <summary>
/// The tutorial's VGG-style CNN (augmentation runs before it, in the data layer):
/// vgg_block(32, 0.2) → vgg_block(64, 0.3) → vgg_block(128, 0.4) → vgg_block(256, 0.5) →
/// GlobalAveragePooling → Dense 256 → BatchNorm → ReLU → Dropout 0.35 → Dense 10 (logits; the
/// softmax is fused into the loss). vgg_block(f, d) = [Conv 3×3 same → BN → ReLU] ×2 →
/// MaxPool 2×2 → Dropout d. BN → ReLU and MaxPool → Dropout run as fused layers (the same
/// arithmetic in fewer passes over memory). <c>width</c> multiplies every filter/unit count (1.0 = 1,245,482
/// parameters). Parameters live in one <see cref="ParameterStore"/>.
/// </summary>
public sealed class VggModel : IDisposable
{
    public const string Architecture = "vgg-cifar10";
    public static readonly int[] BaseFilters = [32, 64, 128, 256];
    public static readonly float[] BlockDropout = [0.2f, 0.3f, 0.4f, 0.5f];
    public const int BaseDenseUnits = 256;
    public const float HeadDropout = 0.35f;

    private VggModel(ComputeDevice device, double width, int classes, ParameterStore store, Sequential network)
    {
        Device = device;
        Width = width;
        Classes = classes;
        Store = store;
        Network = network;
        Loss = new SoftmaxCrossEntropy(device, classes);
    }

    public ComputeDevice Device { get; }

    public double Width { get; }

    public int Classes { get; }

    public ParameterStore Store { get; }

    public Sequential Network { get; }

    public SoftmaxCrossEntropy Loss { get; }

    /// <summary>Input shape of one sample: 3×32×32.</summary>
    public static Shape InputShape(int batch) => new(batch, 3, 32, 32);

    /// <summary>Name of the network in the summary.</summary>
    public const string NetworkName = "vgg";

    /// <summary>
    /// Filters of each block and the dense units at this width (at least 1 each). The width's
    /// bound is the options' (<c>TrainingOptions.MaxWidth</c>, checked by every command first);
    /// here only a width that is not a positive number or whose counts overflow is refused.
    /// </summary>
    public static (int[] Filters, int Dense) Sizes(double width)
    {
        double widest = BaseFilters.Max() * width;
        if (!(width > 0) || widest * widest * 9 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "the width must be positive and small enough for every layer's parameter count to fit an int");
        }

        return (BaseFilters.Select(f => Math.Max(1, (int)Math.Round(f * width))).ToArray(), Math.Max(1, (int)Math.Round(BaseDenseUnits * width)));
    }

    /// <summary>
    /// The layers at <paramref name="width"/>, in order, as data: what <see cref="Create"/> builds,
    /// and all the shape-only summary and the memory estimate need (nothing is allocated).
    /// </summary>
    public static IReadOnlyList<LayerSpec> Layout(double width = 1.0, int classes = 10)
    {
        var (filters, dense) = Sizes(width);
        var layers = new List<LayerSpec>();
        int inChannels = 3;
        int dropoutId = 0;
        for (int b = 0; b < filters.Length; b++)
        {
            string p = $"block{b + 1}";
            int f = filters[b];
            layers.Add(new LayerSpec($"{p}.conv1", LayerKind.Conv2d, inChannels, f));
            layers.Add(new LayerSpec($"{p}.bn1", LayerKind.BatchNormRelu, f, f));
            layers.Add(new LayerSpec($"{p}.conv2", LayerKind.Conv2d, f, f));
            layers.Add(new LayerSpec($"{p}.bn2", LayerKind.BatchNormRelu, f, f));
            layers.Add(new LayerSpec($"{p}.pool", LayerKind.MaxPoolDropout, f, f, BlockDropout[b], dropoutId++));
            inChannels = f;
        }

        layers.Add(new LayerSpec("gap", LayerKind.GlobalAvgPool, inChannels, inChannels));
        layers.Add(new LayerSpec("head.dense1", LayerKind.Dense, inChannels, dense));
        layers.Add(new LayerSpec("head.bn", LayerKind.BatchNormRelu, dense, dense));
        layers.Add(new LayerSpec("head.dropout", LayerKind.Dropout, dense, dense, HeadDropout, dropoutId));
        layers.Add(new LayerSpec("head.dense2", LayerKind.Dense, dense, classes));
        return layers;
    }

    /// <summary>Builds the model of <see cref="Layout"/> and initialises its parameters from <paramref name="seed"/>.</summary>
    public static VggModel Create(ComputeDevice device, double width = 1.0, uint seed = 0, int classes = 10)
    {
        var layout = Layout(width, classes);
        var store = new ParameterStore();
        var layers = layout.Select(spec => spec.Build(device, store)).ToList();
        store.Materialize(device, seed);
        return new VggModel(device, width, classes, store, new Sequential(NetworkName, layers));
    }

    /// <summary>Runs every conv and dense layer by the kernel plan for <paramref name="planFor"/> (null: the device's own) — tests, the self-test and the static profile run a GPU's plan on the GPU-shaped CPU accelerator.</summary>
    public void UsePlan(DeviceFigures? planFor)
    {
        foreach (var layer in Network.Layers)
        {
            if (layer is Conv2d conv)
            {
                conv.PlanFor = planFor;
            }
            else if (layer is Dense dense)
            {
                dense.PlanFor = planFor;
            }
        }
    }

    /// <summary>Logits (N, classes) for an image batch (N, 3, 32, 32).</summary>
    public Tensor Forward(Tensor images, GradientTape tape) => Network.Forward(images, tape);

    /// <summary>Mean loss of the batch; also accumulates the running metrics.</summary>
    public Tensor ForwardLoss(Tensor images, ArrayView<int> labels, GradientTape tape) => Loss.Forward(Forward(images, tape), labels, tape);

    public void Dispose()
    {
        Loss.Dispose();
        foreach (var layer in Network.Layers.OfType<IDisposable>())
        {
            layer.Dispose();
        }

        Network.Dispose();
        Store.Dispose();
    }
}
