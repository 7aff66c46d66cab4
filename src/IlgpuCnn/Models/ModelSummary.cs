using System.Globalization;
using System.Text;
using IlgpuCnn.Layers;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Models;

/// <summary>A Keras-style model summary: one row per layer (name, type, output shape, parameters) and the totals.</summary>
public static class ModelSummary
{
    public static string Format(Sequential network, Shape input, ParameterStore store)
    {
        var sb = new StringBuilder();
        string rule = new('━', 78);
        sb.AppendLine($"Model: \"{network.Name}\"");
        sb.AppendLine(rule);
        sb.AppendLine($"{"Layer (type)",-36}{"Output Shape",-26}{"Param #",16}");
        sb.AppendLine(rule);
        var shape = input.WithBatch(1);
        foreach (var layer in network.Layers)
        {
            shape = layer.OutputShape(shape);
            long count = layer.Parameters.Sum(p => (long)p.Count);
            string shown = shape.H == 1 && shape.W == 1 ? $"(None, {shape.C})" : $"(None, {shape.C}, {shape.H}, {shape.W})";
            sb.AppendLine($"{$"{layer.Name} ({Kind(layer)})",-36}{shown,-26}{count.ToString("N0", CultureInfo.InvariantCulture),16}");
        }

        sb.AppendLine(rule);
        sb.AppendLine($" Total params: {Count(store.TotalCount)} ({Bytes(store.TotalCount)})");
        sb.AppendLine($" Trainable params: {Count(store.TrainableCount)} ({Bytes(store.TrainableCount)})");
        sb.AppendLine($" Non-trainable params: {Count(store.StateCount)} ({Bytes(store.StateCount)})");
        return sb.ToString();
    }

    private static string Kind(ILayer layer) => layer switch
    {
        BatchNormRelu => "BatchNorm+ReLU",
        MaxPoolDropout pool => $"MaxPool2d+Dropout({pool.DropoutRate:0.##})",
        _ => layer.GetType().Name,
    };

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long n)
    {
        double b = n * 4.0;
        return b >= 1024 * 1024 ? $"{b / (1024 * 1024):F2} MB" : $"{b / 1024:F2} KB";
    }
}
