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

    /// <summary>Filters of each block and the dense units at this width (at least 1 each).</summary>
    public static (int[] Filters, int Dense) Sizes(double width)
    {
        if (!(width > 0) || width > 16)
        {
            throw new UserError($"--width must be a number in (0, 16], but got {width}.");
        }

        return (BaseFilters.Select(f => Math.Max(1, (int)Math.Round(f * width))).ToArray(), Math.Max(1, (int)Math.Round(BaseDenseUnits * width)));
    }

    /// <summary>Builds the model and initialises its parameters from <paramref name="seed"/>.</summary>
    public static VggModel Create(ComputeDevice device, double width = 1.0, uint seed = 0, int classes = 10)
    {
        var (filters, dense) = Sizes(width);
        var store = new ParameterStore();
        var layers = new List<ILayer>();
        int inChannels = 3;
        int dropoutId = 0;
        for (int b = 0; b < filters.Length; b++)
        {
            string p = $"block{b + 1}";
            int f = filters[b];
            layers.Add(new Conv2d(device, store, $"{p}.conv1", inChannels, f));
            layers.Add(new BatchNormRelu(device, store, $"{p}.bn1", f));
            layers.Add(new Conv2d(device, store, $"{p}.conv2", f, f));
            layers.Add(new BatchNormRelu(device, store, $"{p}.bn2", f));
            layers.Add(new MaxPoolDropout(device, $"{p}.pool", BlockDropout[b], dropoutId++));
            inChannels = f;
        }

        layers.Add(new GlobalAvgPool(device, "gap"));
        layers.Add(new Dense(device, store, "head.dense1", inChannels, dense));
        layers.Add(new BatchNormRelu(device, store, "head.bn", dense));
        layers.Add(new Dropout(device, "head.dropout", HeadDropout, dropoutId));
        layers.Add(new Dense(device, store, "head.dense2", dense, classes));
        store.Materialize(device, seed);
        return new VggModel(device, width, classes, store, new Sequential("vgg", layers));
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

        Store.Dispose();
    }
}
