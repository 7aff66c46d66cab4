using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using IlgpuCnn.Data;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Training.Onnx.Schema;
using IlgpuCnn.Training.Reports;
using static IlgpuCnn.Training.Onnx.OnnxGraphBuilder;

namespace IlgpuCnn.Training.Onnx;

/// <summary>
/// Writes a model's inference graph as a standard ONNX model (IR version 8, operator set 17 of the
/// default <c>ai.onnx</c> domain: ONNX Runtime 1.12 and later, and every current ONNX tool, run it).
/// The graph takes what an application has in hand and does <c>predict</c>'s preprocessing itself:
/// <c>pixels</c> uint8 [N, 32, 32, 3] RGB (N dynamic) → Cast to float → Div 255 → Transpose NHWC→NCHW,
/// then the layers in inference mode — Conv2d → Conv; BatchNorm/BatchNormRelu → BatchNormalization with the moving
/// statistics and the layer's ε (→ Relu when fused); MaxPool2d/MaxPoolDropout → MaxPool 2×2 stride 2 (its fused
/// dropout and every Dropout layer are identities at inference, so they are left out);
/// GlobalAvgPool → GlobalAveragePool; Dense → Flatten (after a 4D value) → Gemm with the [in, out]
/// kernel — and a Softmax, giving <c>probabilities</c> float32 [N, classes]. Class names and the
/// run's facts (test accuracy, width, commit) go into the model's metadata_props. Files are written
/// atomically (temp file, then rename).
/// </summary>
public static class OnnxExport
{
    public const long IrVersion = 8;
    public const long Opset = 17;
    public const string InputName = "pixels";
    public const string OutputName = "probabilities";

    /// <summary>Metadata key of the comma-separated class names, in output order.</summary>
    public const string ClassNamesKey = "class_names";
    public const string TestAccuracyKey = "test_accuracy";
    public const string TestRowsKey = "test_rows";
    public const string WidthKey = "width";
    public const string CommitKey = "commit";
    public const string Unknown = "unknown";

    /// <summary>The ONNX model of <paramref name="model"/>'s inference graph with <paramref name="facts"/> in its metadata.</summary>
    public static ModelProto Build(VggModel model, OnnxModelFacts facts)
    {
        var builder = new OnnxGraphBuilder(VggModel.Architecture);
        var graph = builder.Graph;
        graph.DocString = "CIFAR-10 classifier trained by IlgpuCnn: uint8 RGB pixels [N, 32, 32, 3] in, softmax probabilities [N, classes] out.";
        graph.Input.Add(Value(InputName, TensorProto.Types.DataType.Uint8, "RGB images, 32x32, height x width x channel, values 0-255", "N", CifarDataset.ImageSize, CifarDataset.ImageSize, CifarDataset.Channels));
        graph.Output.Add(Value(OutputName, TensorProto.Types.DataType.Float, $"softmax probabilities over the classes of metadata '{ClassNamesKey}'", "N", model.Classes));

        // predict's preprocessing: pixels / 255 as float32, NCHW.
        string x = builder.Node("Cast", "pixels_float", [InputName], Int("to", (long)TensorProto.Types.DataType.Float));
        x = builder.Node("Div", "pixels_scaled", [x, builder.Constant("pixel_scale", [], [255f])]);
        x = builder.Node("Transpose", "images", [x], Ints("perm", 0, 3, 1, 2));

        var values = model.Store.Download();
        int rank = 4;
        foreach (var layer in model.Network.Layers)
        {
            (x, rank) = AddLayer(builder, layer, x, rank, p => values.AsSpan((int)((p.Trainable ? 0 : model.Store.TrainableCount) + p.Offset), p.Count));
        }

        builder.Node("Softmax", OutputName, [x], Int("axis", 1));
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ilgpucnn",
            ProducerVersion = BuildInfo.Version,
            Domain = "ilgpucnn",
            ModelVersion = 1,
            DocString = $"IlgpuCnn {VggModel.Architecture} (width {Format(model.Width)}). Input '{InputName}': uint8 [N, 32, 32, 3] RGB 0-255, resized to 32x32 beforehand; the graph scales and transposes. Output '{OutputName}': float32 [N, {model.Classes}] softmax over '{ClassNamesKey}'.",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in Metadata(model, facts))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    /// <summary>Writes <see cref="Build"/>'s model to <paramref name="path"/> atomically (an unwritable path is a <see cref="UserError"/>; nothing is left behind).</summary>
    public static void Write(string path, VggModel model, OnnxModelFacts facts)
    {
        var proto = Build(model, facts);
        try
        {
            AtomicFile.Write(path, proto.WriteTo);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Cannot write the ONNX model '{path}' ({e.Message.TrimEnd('.')}); pass an output path in a folder you can write to.", e);
        }
    }

    /// <summary>
    /// The facts of the run a checkpoint came from, read from its run folder: the commit from
    /// config.json's environment, and — only for the run's model.safetensors, whose weights were the ones
    /// evaluated — test accuracy and rows from metrics.json. Whatever is missing or unreadable is null;
    /// a side file that is not a regular file or is over <see cref="BoundedFile.SideFileBytes"/> is refused.
    /// </summary>
    public static OnnxModelFacts RunFacts(string checkpointPath)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(checkpointPath)) ?? ".";
        var config = ReadJson(Path.Combine(dir, RunFiles.Config));
        bool isRunModel = Path.GetFileName(checkpointPath) == RunFiles.Model;
        var metrics = isRunModel ? ReadJson(Path.Combine(dir, RunFiles.Metrics)) : null;
        return new OnnxModelFacts(
            Number(metrics, "test_accuracy"),
            Number(metrics, "test_rows") is { } rows ? (int)rows : null,
            Text(config?[RunConfig.EnvironmentKey] as JsonObject, "commit"));
    }

    private static (string Output, int Rank) AddLayer(OnnxGraphBuilder builder, ILayer layer, string x, int rank, Func<Tensors.Parameter, ReadOnlySpan<float>> value)
    {
        string Constant(Tensors.Parameter p) => builder.Constant(p.Name, p.Dims.Select(d => (long)d).ToArray(), value(p));

        switch (layer)
        {
            case Conv2d conv:
                return (builder.Node("Conv", conv.Name, [x, Constant(conv.Parameters[0]), Constant(conv.Parameters[1])],
                    Ints("kernel_shape", conv.KernelSize, conv.KernelSize),
                    Ints("strides", conv.Stride, conv.Stride),
                    Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding)), 4);
            case BatchNormLayer bn:
                // Parameters: gamma, beta, moving_mean, moving_variance (BatchNormalization's scale, B, input_mean, input_var).
                string y = builder.Node("BatchNormalization", bn.Name, [x, .. bn.Parameters.Select(Constant)], Float("epsilon", bn.Epsilon), Float("momentum", bn.Momentum));
                return (bn.AppliesRelu ? builder.Node("Relu", bn.Name + ".relu", [y]) : y, rank);
            case Relu relu:
                return (builder.Node("Relu", relu.Name, [x]), rank);
            case MaxPoolLayer pool:
                return (builder.Node("MaxPool", pool.Name, [x], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)), 4);
            case Dropout:
                return (x, rank);
            case GlobalAvgPool gap:
                return (builder.Node("GlobalAveragePool", gap.Name, [x]), 4);
            case Dense dense:
                if (rank != 2)
                {
                    x = builder.Node("Flatten", dense.Name + ".flatten", [x], Int("axis", 1));
                }

                return (builder.Node("Gemm", dense.Name, [x, Constant(dense.Parameters[0]), Constant(dense.Parameters[1])]), 2);
            default:
                throw new InvalidOperationException($"the ONNX export has no mapping for layer '{layer.Name}' ({layer.GetType().Name})");
        }
    }

    private static IEnumerable<(string Key, string Value)> Metadata(VggModel model, OnnxModelFacts facts)
    {
        yield return (ClassNamesKey, string.Join(",", CifarDataset.ClassNames.Take(model.Classes)));
        yield return (TestAccuracyKey, facts.TestAccuracy is { } a ? Format(a) : Unknown);
        yield return (TestRowsKey, facts.TestRows?.ToString(CultureInfo.InvariantCulture) ?? Unknown);
        yield return (WidthKey, Format(model.Width));
        yield return (CommitKey, facts.Commit ?? Unknown);
        yield return ("architecture", VggModel.Architecture);
        yield return ("input", $"{InputName}: uint8 [N, 32, 32, 3], RGB, 0-255 (resize to 32x32 first)");
        yield return ("output", $"{OutputName}: float32 [N, {model.Classes}], softmax over class_names");
        yield return ("exported_by", $"ilgpucnn {BuildInfo.Version}");
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static JsonObject? ReadJson(string path)
    {
        try
        {
            // A side file: only a regular file, and a bounded read (a link to /dev/zero is refused, not read).
            return PathKind.Of(path) == FileKind.Missing ? null : JsonNode.Parse(BoundedFile.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? Number(JsonObject? json, string key) =>
        json?[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    private static string? Text(JsonObject? json, string key) =>
        json?[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
