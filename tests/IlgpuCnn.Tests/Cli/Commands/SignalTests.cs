using IlgpuCnn.Data;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// SIGTERM, SIGHUP and Ctrl+C (SIGINT) sent to the real executable: each is handled like Ctrl+C, and
/// what the message promises happens (a checkpoint that resumes to the same weights as a straight
/// run; a stopped test evaluation with the model kept; a stopped download without its partial file).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SignalTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir(int trainRows, int testRows)
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        TestParquet.Write(Path.Combine(data, DataLocator.TrainFileName), TestParquet.RandomRows(trainRows), rowsPerGroup: 50);
        TestParquet.Write(Path.Combine(data, DataLocator.TestFileName), TestParquet.RandomRows(testRows), rowsPerGroup: 50);
        return data;
    }

    private static string[] Tiny(string data, string run, params string[] more) =>
        ["train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--batch-size", "8", .. more];

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    public void ASignalDuringAnEpochWritesACheckpointThatResumesToTheStraightRun(string signal, int code)
    {
        string data = DataDir(160, 8);
        string straight = Path.Combine(_dir, "straight");
        var once = CliRunner.Run(Tiny(data, straight, "--epochs", "2"));
        Assert.True(once.Code == 0, once.Err);

        string run = Path.Combine(_dir, "signalled");
        using (var child = CliProcess.Start(Tiny(data, run, "--epochs", "2")))
        {
            Assert.True(child.WaitForOutput("Epoch 1/2", Limit), $"training did not start: {child.Err}");
            child.Signal(signal);
            var exit = child.WaitForExit(Limit);
            Assert.True(exit == code, $"exit {exit}, expected {code}: {child.Err}");
            Assert.Contains("finishing the current step, then writing a checkpoint", child.Err);
            Assert.Contains($"Resume with: ilgpucnn train --resume {Path.Combine(run, RunFiles.Checkpoint)} --out {run}", child.Out);
        }

        var resumed = CliRunner.Run(Tiny(data, run, "--epochs", "2", "--resume", Path.Combine(run, RunFiles.Checkpoint)));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("Resuming", resumed.Out);
        var expected = SafeTensors.Read(Path.Combine(straight, RunFiles.Model));
        var actual = SafeTensors.Read(Path.Combine(run, RunFiles.Model));
        foreach (var t in expected.Tensors)
        {
            Assertions.Close(t.ToFloats().Select(v => (double)v).ToArray(), actual.Find(t.Name)!.ToFloats(), rtol: 1e-4, atol: 1e-4, what: t.Name);
        }
    }

    [Fact]
    public void CtrlCDuringTheFinalEvaluationStopsItAndKeepsTheModel()
    {
        string data = DataDir(24, 1200);
        string run = Path.Combine(_dir, "run");
        using var child = CliProcess.Start(Tiny(data, run, "--epochs", "1"));
        Assert.True(child.WaitForOutput("Evaluating on the test split", Limit), $"the final evaluation did not start: {child.Err}");
        child.Signal("INT");
        var exit = child.WaitForExit(Limit);
        Assert.True(exit == 130, $"exit {exit}: {child.Err}");
        Assert.Contains("stopping the test evaluation", child.Err);
        Assert.Contains("Stopped before the end of the test evaluation", child.Out);
        Assert.Contains($"ilgpucnn evaluate --model {Path.Combine(run, RunFiles.Model)}", child.Out);
        Assert.True(File.Exists(Path.Combine(run, RunFiles.Model)));
        Assert.False(File.Exists(Path.Combine(run, RunFiles.Report)));
        Assert.False(File.Exists(Path.Combine(run, RunFiles.Metrics)));
    }

    [Fact]
    public void CtrlCDuringADownloadRemovesThePartialFile()
    {
        using var server = StalledDownloadTests.SilentServer.Start(30_000, 1_000_000);
        string cache = Path.Combine(_dir, "xdg");
        var env = new Dictionary<string, string>
        {
            ["XDG_CACHE_HOME"] = cache,
            [DataLocator.EnvironmentVariable] = "",
            [CifarFiles.DownloadUrlVariable] = server.BaseUrl,
        };
        using var child = CliProcess.Start(["data"], env);
        Assert.True(child.WaitForError("Downloading", Limit), $"the download did not start: {child.Err}");
        string folder = Path.Combine(cache, "ilgpucnn", "cifar10");
        Assert.NotEmpty(Directory.GetFiles(folder, "*.tmp"));
        child.Signal("INT");
        var exit = child.WaitForExit(Limit);
        Assert.True(exit == 130, $"exit {exit}: {child.Err}");
        Assert.Contains("stopping the download and removing its partial file", child.Err);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
