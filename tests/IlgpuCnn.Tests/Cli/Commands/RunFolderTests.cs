using IlgpuCnn.Data;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>A run folder belongs to one run: a busy one, a finished one and a file are refused in one sentence.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir()
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        TestParquet.Write(Path.Combine(data, DataLocator.TrainFileName), TestParquet.RandomRows(24), rowsPerGroup: 8);
        TestParquet.Write(Path.Combine(data, DataLocator.TestFileName), TestParquet.RandomRows(8), rowsPerGroup: 8);
        return data;
    }

    private static (int Code, string Out, string Err) Train(string data, string run, params string[] more) =>
        CliRunner.Run(["train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--batch-size", "8", "--epochs", "1", .. more]);

    private static void OneSentence(string error, string named)
    {
        Assert.Contains(named, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void ASecondTrainingIntoABusyFolderIsRefused()
    {
        string run = Path.Combine(_dir, "busy");
        Directory.CreateDirectory(run);
        using (RunFolderLock.Acquire(run))
        {
            var (code, _, err) = Train(DataDir(), run);
            Assert.Equal(1, code);
            OneSentence(err, $"The run folder {run} is in use by another training run");
        }

        Assert.False(File.Exists(Path.Combine(run, RunFiles.Config)));
    }

    [Fact]
    public void ALiveRunWithACheckpointIsInUseNotInterrupted()
    {
        string run = Path.Combine(_dir, "live");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFiles.Checkpoint), "written by the live run");
        using (RunFolderLock.Acquire(run))
        {
            var (code, _, err) = Train(DataDir(), run);
            Assert.Equal(1, code);
            OneSentence(err, "is in use by another training run");
        }

        var blank = Train(DataDir(), " ");
        OneSentence(blank.Err, "--out is an empty path");
    }

    [Fact]
    public void AFinishedRunIsOverwrittenOnlyWithTheFlag()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "done");
        var first = Train(data, run);
        Assert.True(first.Code == 0, first.Err);
        byte[] model = File.ReadAllBytes(Path.Combine(run, RunFiles.Model));

        var again = Train(data, run, "--seed", "7");
        Assert.Equal(1, again.Code);
        OneSentence(again.Err, "already holds a finished run; pass another --out, or --overwrite");
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(run, RunFiles.Model)));

        var replaced = Train(data, run, "--seed", "7", "--overwrite");
        Assert.True(replaced.Code == 0, replaced.Err);
        Assert.NotEqual(model, File.ReadAllBytes(Path.Combine(run, RunFiles.Model)));
    }

    [Fact]
    public void OverwriteRemovesTheOldRunBeforeTheNewOneWritesAnything()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "replaced");
        var first = Train(data, run);
        Assert.True(first.Code == 0, first.Err);
        File.WriteAllText(Path.Combine(run, ".checkpoint.safetensors.0badf00d.tmp"), "left by a killed run");

        // The new run diverges at once: before, the old run's model, metrics and model.onnx stayed beside the new config.json.
        var diverged = Train(data, run, "--overwrite", "--lr", "1e10");
        Assert.Equal(1, diverged.Code);
        foreach (var name in new[] { RunFiles.Model, RunFiles.Metrics, RunFiles.Onnx, RunFiles.Checkpoint, RunFiles.HistoryCsv, RunFiles.Report })
        {
            Assert.False(File.Exists(Path.Combine(run, name)), $"{name} of the replaced run is still there");
        }

        Assert.Empty(AtomicFileTests.Leftovers(run));
    }

    [Fact]
    public void ResumingIntoAFolderOfAnotherRunIsRefusedUnlessOverwritten()
    {
        string data = DataDir();
        string a = Path.Combine(_dir, "a");
        string b = Path.Combine(_dir, "b");
        Assert.Equal(0, Train(data, a).Code);
        Assert.Equal(0, Train(data, b, "--seed", "3").Code);
        byte[] bModel = File.ReadAllBytes(Path.Combine(b, RunFiles.Model));
        string checkpoint = Path.Combine(a, RunFiles.Checkpoint);

        var refused = CliRunner.Run("train", "--device", "cpu", "--data", data, "--resume", checkpoint, "--out", b, "--epochs", "2");
        Assert.Equal(1, refused.Code);
        OneSentence(refused.Err, $"The run folder {b} holds another run than the checkpoint {checkpoint}");
        Assert.Equal(bModel, File.ReadAllBytes(Path.Combine(b, RunFiles.Model)));

        var replaced = CliRunner.Run("train", "--device", "cpu", "--data", data, "--resume", checkpoint, "--out", b, "--epochs", "2", "--overwrite");
        Assert.True(replaced.Code == 0, replaced.Err);
        Assert.Equal(0u, RunConfig.Read(Path.Combine(b, RunFiles.Config)).Training.Seed); // run A's, continued in b
    }

    [Fact]
    public void ALearningRateGivenOnResumeTakesEffectAndConfigJsonAgrees()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "lr");
        Assert.Equal(0, Train(data, run).Code);
        var resumed = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--resume", Path.Combine(run, RunFiles.Checkpoint), "--epochs", "2", "--lr", "0.0005");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("with the learning rate 0.0005 asked for instead of the checkpoint's 0.001", resumed.Out);
        Assert.Equal(0.0005, RunConfig.Read(Path.Combine(run, RunFiles.Config)).Training.Optimizer.LearningRate);
        var history = File.ReadAllLines(Path.Combine(run, RunFiles.HistoryCsv));
        int column = Array.IndexOf(history[0].Split(','), "learning_rate");
        Assert.Equal(0.0005, double.Parse(history[2].Split(',')[column], System.Globalization.CultureInfo.InvariantCulture), 1e-9);
    }

    [Fact]
    public void OutOntoAFileIsRefusedClearly()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var (code, _, err) = Train(DataDir(), file);
        Assert.Equal(1, code);
        OneSentence(err, $"--out {file} is a file, not a folder");
    }
}
