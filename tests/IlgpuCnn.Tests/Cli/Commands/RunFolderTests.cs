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
    public void OutOntoAFileIsRefusedClearly()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var (code, _, err) = Train(DataDir(), file);
        Assert.Equal(1, code);
        OneSentence(err, $"--out {file} is a file, not a folder");
    }
}
