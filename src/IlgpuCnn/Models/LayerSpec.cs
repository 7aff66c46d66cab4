using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Models;

/// <summary>
/// One layer of the architecture as plain data: <see cref="VggModel.Create"/> builds the layer from
/// it, and the shape-only summary reads its output shape and parameter counts from it without
/// allocating anything (so <c>summary --width 16</c> costs no memory). <paramref name="In"/> and
/// <paramref name="Out"/> are channels or features (equal for layers that keep them);
/// <paramref name="Rate"/> and <paramref name="DropoutId"/> are the dropout's.
/// </summary>
public sealed record LayerSpec(string Name, LayerKind Kind, int In, int Out, float Rate = 0, int DropoutId = 0)
{
    /// <summary>The type as the summary shows it, e.g. <c>Conv2d</c> or <c>MaxPool2d+Dropout(0.2)</c>.</summary>
    public string Label => Kind switch
    {
        LayerKind.BatchNormRelu => "BatchNorm+ReLU",
        LayerKind.MaxPoolDropout => string.Create(CultureInfo.InvariantCulture, $"MaxPool2d+Dropout({Rate:0.##})"),
        _ => Kind.ToString(),
    };

    /// <summary>Trainable values: kernel and bias (3×3 kernel for a convolution), or γ and β.</summary>
    public long TrainableCount => Kind switch
    {
        LayerKind.Conv2d => ((long)Out * In * 9) + Out,
        LayerKind.Dense => ((long)In * Out) + Out,
        LayerKind.BatchNormRelu => 2L * Out,
        _ => 0,
    };

    /// <summary>Non-trainable values: the moving mean and variance of a batch norm.</summary>
    public long StateCount => Kind == LayerKind.BatchNormRelu ? 2L * Out : 0;

    /// <summary>Output shape for an input shape, as the built layer computes it.</summary>
    public Shape OutputShape(Shape input) => Kind switch
    {
        LayerKind.Conv2d => input with { C = Out },
        LayerKind.MaxPoolDropout => input with { H = input.H / 2, W = input.W / 2 },
        LayerKind.GlobalAvgPool => input with { H = 1, W = 1 },
        LayerKind.Dense => new Shape(input.N, Out, 1, 1),
        _ => input,
    };

    /// <summary>The layer itself, its parameters registered in <paramref name="store"/>.</summary>
    public ILayer Build(ComputeDevice device, ParameterStore store) => Kind switch
    {
        LayerKind.Conv2d => new Conv2d(device, store, Name, In, Out),
        LayerKind.BatchNormRelu => new BatchNormRelu(device, store, Name, Out),
        LayerKind.MaxPoolDropout => new MaxPoolDropout(device, Name, Rate, DropoutId),
        LayerKind.GlobalAvgPool => new GlobalAvgPool(device, Name),
        LayerKind.Dense => new Dense(device, store, Name, In, Out),
        LayerKind.Dropout => new Dropout(device, Name, Rate, DropoutId),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown layer kind"),
    };
}
