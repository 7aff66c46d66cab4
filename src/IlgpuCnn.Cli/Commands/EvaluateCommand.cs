using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn evaluate</c>: classification report and confusion matrix of a checkpoint on the test split.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors or checkpoint.safetensors written by 'ilgpucnn train'.", Required = true };
        var data = SharedOptions.Data();
        var output = new Option<string?>("--out") { Description = "Folder for classification_report.txt and confusion_matrix.png (default: runs/evaluate-<UTC timestamp>)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test rows." };
        var device = SharedOptions.Device();
        var cmd = new Command("evaluate", "Evaluate a checkpoint on the CIFAR-10 test split: accuracy, loss, classification report and confusion matrix.")
        {
            model, data, output, testLimit, device,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            int? limit = parse.GetValue(testLimit);
            new DataOptions { TestLimit = limit }.Validate();

            var kind = SharedOptions.DeviceKindOf(parse.GetValue(device)!);
            string path = parse.GetValue(model)!;
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", "evaluate-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            CheckOutput(outDir, path);
            Checkpoint.RequireFile(path); // before the data is found (or downloaded) and read
            var location = DataLocator.Resolve(parse.GetValue(data));
            SharedOptions.Ensure(location);
            var test = CifarParquetReader.ReadSplit(location.TestFiles, limit);
            using var dev = ComputeDevice.Create(kind);
            using var net = Checkpoint.LoadModel(path, dev);
            CreateFolder(outDir);
            var result = TrainingRun.WriteEvaluation(outDir, net, test, new TrainingOptions().BatchSize);
            Console.WriteLine(File.ReadAllText(Path.Combine(outDir, RunFiles.Report)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy {result.Accuracy:F4}, test loss {result.Loss:F4} on {test.Count:N0} images ({dev.Name}). Report and confusion matrix in {outDir}"));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Before any work: the --out folder is a folder (or can be made) that takes files, and its two report files may be written without touching the model.</summary>
    private static void CheckOutput(string outDir, string model)
    {
        if (string.IsNullOrWhiteSpace(outDir))
        {
            throw new UserError("--out is an empty path; pass a folder for the report and the confusion matrix, or leave --out out to use runs/evaluate-<UTC timestamp>.");
        }

        var kind = PathKind.Of(outDir);
        if (kind is not (FileKind.Missing or FileKind.Directory))
        {
            throw new UserError($"--out {outDir} is {PathKind.Describe(kind)}, not a folder; pass a folder for the report and the confusion matrix (it is created when missing).");
        }

        OutputPath.RequireFolderFor(outDir, $"--out {outDir}");

        OutputPath.RequireNotInput(Path.Combine(outDir, RunFiles.Report), model);
        OutputPath.RequireNotInput(Path.Combine(outDir, RunFiles.ConfusionMatrix), model);
    }

    private static void CreateFolder(string outDir)
    {
        try
        {
            Directory.CreateDirectory(outDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"Could not create the folder {outDir} ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.Split(" : ")[0].Split(" '")[0].TrimEnd('.'))}); pass another --out.", e);
        }
    }
}
