using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Device;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Onnx;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn export</c>: a checkpoint's inference graph as an ONNX model (see <see cref="OnnxExport"/>).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors or checkpoint.safetensors written by 'ilgpucnn train'.", Required = true };
        var output = new Option<string?>("--out") { Description = "The .onnx file to write (default: beside the checkpoint, e.g. model.safetensors -> model.onnx)." };
        var cmd = new Command("export", $"Write a trained model as ONNX (opset {OnnxExport.Opset}): uint8 RGB pixels [N, 32, 32, 3] in, softmax probabilities [N, 10] out, for ONNX Runtime and other ONNX tools.")
        {
            model, output,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            string path = parse.GetValue(model)!;
            string outPath = parse.GetValue(output) ?? Path.ChangeExtension(path, ".onnx");
            CheckOutput(path, outPath);

            using var device = ComputeDevice.Create(DeviceKind.Cpu);
            using var net = Checkpoint.LoadModel(path, device);
            var facts = OnnxExport.RunFacts(path);
            OnnxExport.Write(outPath, net, facts);
            string accuracy = facts.TestAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $"{a * 100:F2}%") : "unknown";
            Console.WriteLine($"Wrote {outPath} ({new FileInfo(outPath).Length / 1e6:F1} MB, ONNX opset {OnnxExport.Opset}, width {net.Width.ToString(CultureInfo.InvariantCulture)}, test accuracy {accuracy}): input '{OnnxExport.InputName}' uint8 [N, 32, 32, 3] RGB, output '{OnnxExport.OutputName}' float32 [N, {net.Classes}].");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// The .onnx may replace only a regular file that belongs to no run, or the model's own .onnx:
    /// never the model, a checkpoint or model of any run, nor another file of a run folder.
    /// </summary>
    public static void CheckOutput(string model, string outPath)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new UserError("--model is an empty path; pass the path of a .safetensors file written by 'ilgpucnn train'.");
        }

        OutputPath.RequireNotInput(outPath, model);
        bool own = OutputPath.SameFile(outPath, Path.ChangeExtension(model, ".onnx"));
        bool runFile = RunFiles.All.Contains(Path.GetFileName(outPath)) || outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        if (!own && runFile && File.Exists(outPath))
        {
            throw new UserError($"--out '{outPath}' is a file of a training run, which export does not replace; pass another path for the .onnx file (or leave --out out to write it beside the model).");
        }
    }
}
