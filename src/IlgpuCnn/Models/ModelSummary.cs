using System.Globalization;
using System.Text;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Models;

/// <summary>A Keras-style model summary: one row per layer (name, type, output shape, parameters) and the totals.</summary>
public static class ModelSummary
{
    /// <summary>The summary of a built network, its counts read from its parameters.</summary>
    public static string Format(Sequential network, Shape input, ParameterStore store)
    {
        var rows = new List<(string Label, Shape Output, long Count)>();
        var shape = input.WithBatch(1);
        foreach (var layer in network.Layers)
        {
            shape = layer.OutputShape(shape);
            rows.Add(($"{layer.Name} ({Kind(layer)})", shape, layer.Parameters.Sum(p => (long)p.Count)));
        }

        return Format(network.Name, rows, store.TrainableCount, store.StateCount);
    }

    /// <summary>
    /// The same summary from the architecture alone (<see cref="VggModel.Layout"/>): shapes and
    /// counts are computed, nothing is allocated, so any width the options allow is shown at once.
    /// </summary>
    public static string Format(string name, IReadOnlyList<LayerSpec> layout, Shape input)
    {
        var rows = new List<(string Label, Shape Output, long Count)>();
        var shape = input.WithBatch(1);
        foreach (var layer in layout)
        {
            shape = layer.OutputShape(shape);
            rows.Add(($"{layer.Name} ({layer.Label})", shape, layer.TrainableCount + layer.StateCount));
        }

        return Format(name, rows, layout.Sum(l => l.TrainableCount), layout.Sum(l => l.StateCount));
    }

    private static string Format(string name, List<(string Label, Shape Output, long Count)> rows, long trainable, long state)
    {
        var sb = new StringBuilder();
        string rule = new('━', 78);
        sb.AppendLine($"Model: \"{name}\"");
        sb.AppendLine(rule);
        sb.AppendLine($"{"Layer (type)",-36}{"Output Shape",-26}{"Param #",16}");
        sb.AppendLine(rule);
        foreach (var (label, shape, count) in rows)
        {
            string shown = shape.H == 1 && shape.W == 1 ? $"(None, {shape.C})" : $"(None, {shape.C}, {shape.H}, {shape.W})";
            sb.AppendLine($"{label,-36}{shown,-26}{Count(count),16}");
        }

        sb.AppendLine(rule);
        sb.AppendLine($" Total params: {Count(trainable + state)} ({Bytes(trainable + state)})");
        sb.AppendLine($" Trainable params: {Count(trainable)} ({Bytes(trainable)})");
        sb.AppendLine($" Non-trainable params: {Count(state)} ({Bytes(state)})");
        return sb.ToString();
    }

    private static string Kind(ILayer layer) => layer switch
    {
        BatchNormRelu => "BatchNorm+ReLU",
        MaxPoolDropout pool => string.Create(CultureInfo.InvariantCulture, $"MaxPool2d+Dropout({pool.DropoutRate:0.##})"),
        _ => layer.GetType().Name,
    };

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long n)
    {
        double b = n * 4.0;
        return b >= 1024 * 1024 ? $"{b / (1024 * 1024):F2} MB" : $"{b / 1024:F2} KB";
    }
}
