using System.Globalization;
using System.Text.Json;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;
using IlgpuCnn.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// train, evaluate, predict and summary through the real command line, in-process: a tiny run on
/// small Parquet files writes every file of the run folder, resumes, and bad input gives one
/// sentence and exit code 1.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir() => TestParquet.TinySplits(_dir);

    [Fact]
    public void ATinyRunWritesEveryFileThenEvaluatesPredictsAndResumes()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "run");
        var (code, output, error) = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "1", "--batch-size", "8");
        Assert.True(code == 0, $"train exited {code}: {error}");
        Assert.Contains("Epoch 1/1", output);
        Assert.Contains("val_loss", output);
        foreach (var file in RunFiles.All)
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"the run folder lacks {file}");
        }

        Assert.Empty(AtomicFileTests.Leftovers(run));
        string metrics = File.ReadAllText(Path.Combine(run, RunFiles.Metrics));
        foreach (var key in new[] { "test_accuracy", "test_loss", "best_epoch", "epochs_run", "seconds_per_epoch", "device" })
        {
            Assert.Contains($"\"{key}\"", metrics);
        }

        // model.onnx carries the run's test accuracy and the commit that trained it.
        using (var session = new InferenceSession(Path.Combine(run, RunFiles.Onnx)))
        {
            var meta = session.ModelMetadata.CustomMetadataMap;
            double accuracy = JsonDocument.Parse(metrics).RootElement.GetProperty("test_accuracy").GetDouble();
            Assert.Equal(accuracy, double.Parse(meta[OnnxExport.TestAccuracyKey], CultureInfo.InvariantCulture));
            Assert.Equal(BuildInfo.Commit, meta[OnnxExport.CommitKey]);
            Assert.Contains($"\"commit\": \"{BuildInfo.Commit}\"", File.ReadAllText(Path.Combine(run, RunFiles.Config)));
        }

        string model = Path.Combine(run, RunFiles.Model);
        string exported = Path.Combine(_dir, "exported.onnx");
        var export = CliRunner.Run("export", "--model", model, "--out", exported);
        Assert.True(export.Code == 0, export.Err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, RunFiles.Onnx)), File.ReadAllBytes(exported)); // the run's facts read back from its folder

        var evaluated = CliRunner.Run("evaluate", "--device", "cpu", "--model", model, "--data", data, "--out", Path.Combine(_dir, "eval"));
        Assert.True(evaluated.Code == 0, evaluated.Err);
        Assert.Contains("weighted avg", evaluated.Out);
        Assert.True(File.Exists(Path.Combine(_dir, "eval", RunFiles.ConfusionMatrix)));

        string png = Path.Combine(_dir, "any-size.png");
        File.WriteAllBytes(png, TestParquet.Png(50, 20, (x, y) => TestParquet.RandomPixel(3, x, y)));
        var predicted = CliRunner.Run("predict", "--device", "cpu", "--model", model, png);
        Assert.True(predicted.Code == 0, predicted.Err);
        Assert.Contains(png, predicted.Out);
        Assert.Contains("%", predicted.Out);

        var resumed = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "2", "--batch-size", "8", "--resume", Path.Combine(run, RunFiles.Checkpoint));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("Resuming", resumed.Out);
        Assert.Contains("Epoch 2/2", resumed.Out);
        Assert.DoesNotContain("Epoch 1/2", resumed.Out);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, RunFiles.HistoryCsv)).Length);
    }

    [Fact]
    public void MaxMinutesStopsAfterTheEpochWritesEveryFileAndResumes()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "capped");
        var (code, output, error) = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "3", "--batch-size", "8", "--max-minutes", "0.0001");
        Assert.True(code == 0, $"train exited {code}: {error}");
        Assert.Contains("Epoch 1/3", output);
        Assert.DoesNotContain("Epoch 2/3", output);
        Assert.Contains("Epoch 1: stopped by --max-minutes 0.0001", output);
        foreach (var file in RunFiles.All)
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"the capped run folder lacks {file}");
        }

        var metrics = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunFiles.Metrics)))!;
        Assert.Equal("max_minutes", (string?)metrics["stopped_by"]);
        Assert.Equal(1, (int)metrics["epochs_run"]!);
        Assert.Equal(0.0001, (double)metrics["max_minutes"]!);

        var resumed = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "3", "--batch-size", "8", "--resume", Path.Combine(run, RunFiles.Checkpoint));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("Resuming", resumed.Out);
        Assert.Contains("Epoch 2/3", resumed.Out);
        Assert.Contains("Epoch 3/3", resumed.Out);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, RunFiles.HistoryCsv)).Length);
        var after = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunFiles.Metrics)))!;
        Assert.Equal("epochs", (string?)after["stopped_by"]);
        Assert.Equal(3, (int)after["epochs_run"]!);

        var bad = CliRunner.Run("train", "--device", "cpu", "--data", data, "--max-minutes", "0");
        Assert.Equal(1, bad.Code);
        Assert.Contains("--max-minutes must be a positive number", bad.Err);
    }

    [Fact]
    public void ResumingWithAnotherSeedIsRefusedInOneSentenceNamingBothSeeds()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "seeded");
        var first = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "1", "--batch-size", "8", "--seed", "5");
        Assert.True(first.Code == 0, first.Err);

        string checkpoint = Path.Combine(run, RunFiles.Checkpoint);
        var (code, _, error) = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--epochs", "2", "--seed", "7", "--resume", checkpoint);
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("--seed", error);
        Assert.Contains("seed 7", error);
        Assert.Contains("seed 5", error);

        // Without the conflicting flag the checkpoint's seed, width and batch size are used and a larger --epochs continues.
        var resumed = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--epochs", "2", "--resume", checkpoint);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("Epoch 2/2", resumed.Out);
        Assert.DoesNotContain("Epoch 1/2", resumed.Out);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, RunFiles.HistoryCsv)).Length);
        var config = RunConfig.Read(Path.Combine(run, RunFiles.Config));
        Assert.Equal((5u, 0.125, 8, 2), (config.Training.Seed, config.Training.Width, config.Training.BatchSize, config.Training.Epochs));
    }

    [Theory]
    [InlineData("--batch-size", "0", "--batch-size")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--device", "tpu", "Unknown device 'tpu'")]
    [InlineData("--width", "-1", "--width")]
    [InlineData("--validation-split", "1.5", "--validation-split")]
    public void BadOptionsGiveOneSentence(string flag, string value, string named)
    {
        var (code, _, error) = CliRunner.Run("train", flag, value, "--data", Path.Combine(_dir, "nowhere"));
        Assert.Equal(1, code);
        Assert.Contains(named, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void AMissingDataFolderIsNamed()
    {
        string missing = Path.Combine(_dir, "no-such-folder");
        var (code, _, error) = CliRunner.Run("train", "--device", "cpu", "--data", missing);
        Assert.Equal(1, code);
        Assert.Contains(missing, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void CudaWithoutAGpuIsRefusedClearly()
    {
        Assert.SkipWhen(ComputeDevice.Describe().Any(l => l.StartsWith("cuda", StringComparison.Ordinal)), "this machine has a CUDA GPU, so --device cuda is not refused here");

        var (code, _, error) = CliRunner.Run("train", "--device", "cuda", "--data", DataDir(), "--out", Path.Combine(_dir, "r"));
        Assert.Equal(1, code);
        Assert.Contains("no CUDA GPU", error);
    }

    [Fact]
    public void UnreadableCheckpointsAndImagesAreNamed()
    {
        string bad = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllText(bad, "this is not a checkpoint");
        var evaluated = CliRunner.Run("evaluate", "--device", "cpu", "--model", bad, "--data", DataDir());
        Assert.Equal(1, evaluated.Code);
        Assert.Contains(bad, evaluated.Err);
        Assert.Single(evaluated.Err.Trim().Split('\n'));

        var resumed = CliRunner.Run("train", "--device", "cpu", "--resume", Path.Combine(_dir, "missing.safetensors"), "--data", DataDir());
        Assert.Equal(1, resumed.Code);
        Assert.Contains("missing.safetensors", resumed.Err);

        var predicted = CliRunner.Run("predict", "--device", "cpu", "--model", bad, bad);
        Assert.Equal(1, predicted.Code);
        Assert.Contains(bad, predicted.Err);
        Assert.Single(predicted.Err.Trim().Split('\n'));
    }

    [Fact]
    public void SummaryPrintsTheTutorialsTotals()
    {
        var (code, output, _) = CliRunner.Run("summary");
        Assert.Equal(0, code);
        Assert.Contains("Total params: 1,245,482", output);
        Assert.Contains("Trainable params: 1,243,050", output);
        Assert.Contains("Non-trainable params: 2,432", output);
    }
}
