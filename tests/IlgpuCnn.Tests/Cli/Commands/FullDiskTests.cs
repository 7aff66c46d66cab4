using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// A disk that fills up during a run or an evaluation (issue 19, point 7): one sentence naming the
/// file that could not be written — never the temp file — with "free disk space", exit 1, and no
/// temp file left. As root on Linux the disk is a small tmpfs; everywhere, the sentence is checked
/// from the error the runtime raises.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FullDiskTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void OneSentence((int Code, string Out, string Err) result, string expected)
    {
        Assert.True(result.Code == 1, $"exit {result.Code}: {result.Err}");
        Assert.Contains(expected, result.Err);
        Assert.Contains("(No space left on device); free disk space or pass a path on another disk.", result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.DoesNotContain(AtomicFile.TempExtension + "'", result.Err);
        Assert.DoesNotContain("Exception", result.Err);
    }

    [Theory]
    [InlineData("No space left on device : '/runs/a/.checkpoint.safetensors.0a1b2c3d.tmp'", "No space left on device", "free disk space or pass a path on another disk")]
    [InlineData("Disk quota exceeded : '/runs/a/.checkpoint.safetensors.0a1b2c3d.tmp'", "Disk quota exceeded", "free disk space or pass a path on another disk")]
    [InlineData("Read-only file system : '/runs/a/.checkpoint.safetensors.0a1b2c3d.tmp'", "Read-only file system", "its folder is not writable")]
    public void AFailedWriteNamesTheTargetAndTheCause(string raised, string reason, string advice)
    {
        string target = Path.Combine("/runs/a", RunFiles.Checkpoint);
        var e = AtomicFile.CouldNotWrite(target, new IOException(raised));
        Assert.StartsWith($"Could not write '{target}' ({reason}); {advice}", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void EvaluateOnAFullDiskSaysWhichFileDidNotFit()
    {
        string disk = Path.Combine(_dir, "disk");
        Directory.CreateDirectory(disk);
        using var mount = TempMount.Tmpfs(disk, "size=16k"); // the report fits, the confusion matrix (~70 KB) does not
        if (mount is null)
        {
            return;
        }

        string data = TestParquet.TinySplits(_dir);
        var result = CliRunner.Run("evaluate", "--device", "cpu", "--model", Model(), "--data", data, "--out", disk);
        OneSentence(result, $"Could not write '{Path.Combine(disk, RunFiles.ConfusionMatrix)}'");
        Assert.Empty(Directory.GetFiles(disk, "*" + AtomicFile.TempExtension));
    }

    [Fact]
    public void TrainingOnAFullDiskSaysWhichFileDidNotFit()
    {
        string disk = Path.Combine(_dir, "disk");
        Directory.CreateDirectory(disk);
        using var mount = TempMount.Tmpfs(disk, "size=200k"); // config and preview fit, the first checkpoint (~330 KB) does not
        if (mount is null)
        {
            return;
        }

        string data = TestParquet.TinySplits(_dir);
        var result = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", disk, "--width", "0.125", "--epochs", "1", "--batch-size", "8");
        OneSentence(result, $"Could not write '{disk}{Path.DirectorySeparatorChar}");
        Assert.Empty(Directory.GetFiles(disk, "*" + AtomicFile.TempExtension, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ADownloadOntoAFullDiskSaysWhichFileDidNotFit()
    {
        string disk = Path.Combine(_dir, "disk");
        Directory.CreateDirectory(disk);
        using var mount = TempMount.Tmpfs(disk, "size=64k");
        if (mount is null)
        {
            return;
        }

        using var server = IlgpuCnn.Tests.Data.StalledDownloadTests.SilentServer.Start(1_000_000, 2_000_000);
        using var downloader = new IlgpuCnn.Data.CifarDownloader(server.BaseUrl, TimeSpan.FromSeconds(30));
        var e = await Assert.ThrowsAsync<UserError>(() => downloader.EnsureAsync(disk, cancellation: TestContext.Current.CancellationToken));
        Assert.StartsWith($"Could not write '{Path.Combine(disk, IlgpuCnn.Data.DataLocator.TrainFileName)}' (No space left on device); free disk space", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(disk));
    }

    private string Model()
    {
        using var device = ComputeDevice.Create(DeviceKind.Cpu);
        using var model = VggModel.Create(device, 0.125, 1);
        string path = Path.Combine(_dir, RunFiles.Model);
        Checkpoint.SaveModel(path, model);
        return path;
    }
}
