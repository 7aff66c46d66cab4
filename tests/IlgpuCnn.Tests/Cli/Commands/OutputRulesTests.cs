using System.Diagnostics;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// Nothing is overwritten that is not the command's own (issue 19): outputs that are special
/// files, inputs, or files of another run are refused in one sentence before any work; exports
/// never touch their source; image bombs in Parquet cells and animated images are bounded; side
/// files are read with a limit; --overwrite and --resume … --out never mix two runs.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OutputRulesTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void OneSentence((int Code, string Out, string Err) result, string named)
    {
        Assert.Equal(1, result.Code);
        Assert.Contains(named, result.Err);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", result.Err);
        Assert.DoesNotContain("Exception", result.Err);
    }

    private static void Shell(string command, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{command} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    /// <summary>A FIFO, and (as root) a character device like /dev/null, in the test folder.</summary>
    private List<(string Path, FileKind Kind)> SpecialFiles()
    {
        string fifo = Path.Combine(_dir, "fifo");
        Shell("mkfifo", fifo);
        var list = new List<(string, FileKind)> { (fifo, FileKind.Fifo) };
        if (Environment.IsPrivilegedProcess)
        {
            string node = Path.Combine(_dir, "null-node");
            Shell("mknod", node, "c", "1", "3");
            list.Add((node, FileKind.CharacterDevice));
        }

        return list;
    }

    private string Model()
    {
        string run = Path.Combine(_dir, "run");
        Directory.CreateDirectory(run);
        using var device = ComputeDevice.Create(DeviceKind.Cpu);
        using var model = VggModel.Create(device, 0.125, 1);
        string path = Path.Combine(run, RunFiles.Model);
        Checkpoint.SaveModel(path, model);
        return path;
    }

    [Fact]
    public void ExportAndPreviewRefuseToReplaceAFifoOrADevice()
    {
        string model = Model();
        string data = TestParquet.TinySplits(_dir);
        foreach (var (node, kind) in SpecialFiles())
        {
            OneSentence(CliRunner.Run("export", "--model", model, "--out", node), $"'{node}' is {PathKind.Describe(kind)}, not a regular file");
            OneSentence(CliRunner.Run("preview", "--data", data, "--out", node), $"'{node}' is {PathKind.Describe(kind)}");
            Assert.Equal(kind, PathKind.Of(node));
        }
    }

    [Fact]
    public void ExportNeverReplacesACheckpointOrAnotherRunsFile()
    {
        string model = Model();
        string checkpoint = Path.Combine(Path.GetDirectoryName(model)!, RunFiles.Checkpoint);
        File.Copy(model, checkpoint);
        byte[] before = File.ReadAllBytes(checkpoint);
        OneSentence(CliRunner.Run("export", "--model", model, "--out", checkpoint), "is a file of a training run");
        OneSentence(CliRunner.Run("export", "--model", model, "--out", model), "is the input");
        Assert.Equal(before, File.ReadAllBytes(checkpoint));

        // The model's own .onnx may be replaced (that is the default --out).
        var again = CliRunner.Run("export", "--model", model, "--out", Path.ChangeExtension(model, ".onnx"));
        Assert.True(again.Code == 0, again.Err);
    }

    [Fact]
    public void AnUnboundedConfigBesideTheModelIsRefusedWithoutReadingIt()
    {
        string model = Model();
        string config = Path.Combine(Path.GetDirectoryName(model)!, RunFiles.Config);
        File.CreateSymbolicLink(config, "/dev/zero");
        var watch = Stopwatch.StartNew();
        OneSentence(CliRunner.Run("export", "--model", model), $"'{config}' is a character device, not a regular file");
        File.Delete(config);
        using (var sparse = File.Create(config))
        {
            sparse.SetLength(3L << 30); // 3 GiB of nothing on disk
        }

        OneSentence(CliRunner.Run("export", "--model", model), $"'{config}' is 3,221,225,472 bytes, more than");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void DataExportIntoItsOwnFolderIsRefusedAndTheSourceIsUntouched()
    {
        string data = TestParquet.TinySplits(_dir);
        string train = Path.Combine(data, DataLocator.TrainFileName);
        byte[] before = File.ReadAllBytes(train);
        OneSentence(CliRunner.Run("data", "--data", data, "--export", data, "--train-limit", "10", "--test-limit", "10"), "overlaps the data folder");
        OneSentence(CliRunner.Run("data", "--data", data, "--export", Path.Combine(data, "sub")), "overlaps the data folder");
        OneSentence(CliRunner.Run("data", "--data", data, "--export", _dir), "overlaps the data folder");
        Assert.Equal(before, File.ReadAllBytes(train));
        Assert.False(Directory.Exists(Path.Combine(data, "sub")));
    }

    [Fact]
    public void AnExportIntoAnEarlierExportSwapsTheNewSetInWhole()
    {
        string data = TestParquet.TinySplits(_dir);
        var rows = CifarParquetReader.Read(Path.Combine(data, DataLocator.TrainFileName));
        string target = Path.Combine(_dir, "export");
        var first = CifarShardExport.ExportSplits([new ExportSplit(CifarShards.Train, [Path.Combine(data, DataLocator.TrainFileName)], null, rows)], target, 150 * 1024, TestContext.Current.CancellationToken);
        Assert.True(first[0].Count > 1);
        File.WriteAllText(Path.Combine(target, ".train-00000-of-00009.parquet.0123abcd.tmp"), "left by a killed export");
        Directory.CreateDirectory(Path.Combine(target, CifarShardExport.StagingPrefix + "deadbeef"));

        var second = CifarShardExport.ExportSplits([new ExportSplit(CifarShards.Train, [Path.Combine(data, DataLocator.TrainFileName)], 10, rows)], target, null, TestContext.Current.CancellationToken);
        Assert.Equal([Path.Combine(target, CifarShards.FileName(CifarShards.Train, 0, 1))], second[0]);
        Assert.Equal([Path.GetFileName(second[0][0])], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(10, CifarParquetReader.Read(second[0][0]).Count);

        // Cancelled before the swap: the earlier set stays as it was, and nothing else is left.
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CifarShardExport.ExportSplits([new ExportSplit(CifarShards.Train, [Path.Combine(data, DataLocator.TrainFileName)], null, rows)], target, 150 * 1024, cancelled.Token));
        Assert.Equal([Path.GetFileName(second[0][0])], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public void ShardSizeAndLimitsAreCheckedBeforeTheDataIsVerified()
    {
        string missing = Path.Combine(_dir, "no-data"); // refused for its flags before the data folder is even looked at
        Directory.CreateDirectory(missing);
        foreach (var mb in new[] { "0", "-1", "NaN", "0.5", "1e7" })
        {
            OneSentence(CliRunner.Run("data", "--data", missing, "--export", Path.Combine(_dir, "x"), "--shard-mb", mb), "--shard-mb must be");
        }
    }

    [Fact]
    public async Task AFifoGivenAsADataFileIsRefusedWithoutBlocking()
    {
        string data = Path.Combine(_dir, "fifo-data");
        Directory.CreateDirectory(data);
        Shell("mkfifo", Path.Combine(data, DataLocator.TrainFileName));
        TestParquet.Write(Path.Combine(data, DataLocator.TestFileName), TestParquet.RandomRows(4));
        var run = Task.Run(() => CliRunner.Run("preview", "--data", data, "--out", Path.Combine(_dir, "p.png")), TestContext.Current.CancellationToken);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken); // a TimeoutException when it blocks
        OneSentence(result, "is a FIFO (named pipe), not a regular file");
    }

    [Fact]
    public void AnOversizedPngCellIsRefusedFromItsHeaderNamingFileAndRow()
    {
        string bomb = Path.Combine(_dir, "bomb.png");
        PngBomb.Write(bomb, 30_000, 30_000);
        string data = TestParquet.TinySplits(_dir);
        string train = Path.Combine(data, DataLocator.TrainFileName);
        var rows = TestParquet.RandomRows(40);
        rows[3] = (File.ReadAllBytes(bomb), 1);
        TestParquet.Write(train, rows, rowsPerGroup: 16);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<UserError>(() => CifarParquetReader.Read(train));
        Assert.Contains($"Row 3 of {train} holds a 30,000×30,000 PNG (from its header)", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 300L << 20, "the cell was decoded");
        OneSentence(CliRunner.Run("preview", "--data", data, "--out", Path.Combine(_dir, "p.png")), "Row 3 of");
    }

    [Fact]
    public void OfAnAnimatedGifOnlyTheFirstFrameIsDecoded()
    {
        string gif = Path.Combine(_dir, "frames.gif");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(64, 64, new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 0, 0)))
        {
            for (int i = 0; i < 39; i++)
            {
                using var frame = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(64, 64, new SixLabors.ImageSharp.PixelFormats.Rgba32(0, 0, (byte)(i * 6)));
                image.Frames.AddFrame(frame.Frames.RootFrame);
            }

            SixLabors.ImageSharp.ImageExtensions.SaveAsGif(image, gif);
        }

        using (var decoded = IlgpuCnn.Cli.Commands.PredictCommand.Decode(gif))
        {
            Assert.Single(decoded.Frames);
            Assert.Equal(255, decoded[0, 0].R);
        }
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedBeforeAnyWork()
    {
        string model = Model();
        OneSentence(CliRunner.Run("predict", "--model", model, "--top", "0", model), "--top must be between 1 and 10");
        OneSentence(CliRunner.Run("predict", "--model", model, "--top", "-5", model), "--top must be between 1 and 10");
        OneSentence(CliRunner.Run("bench", "--device", "cpu", "--steps", "-5"), "--steps must be at least 1");
        OneSentence(CliRunner.Run("selftest", "--device", "cpu", "--only", ""), "matches no check");
        OneSentence(CliRunner.Run("selftest", "--device", "cpu", "--only", "conv2d", "no-such-kernel"), "'no-such-kernel' matches no check");
        OneSentence(CliRunner.Run("train", "--max-minutes", "abc"), "--max-minutes expects a number, but got 'abc'");
        OneSentence(CliRunner.Run("train", "--epochs", "1.5"), "--epochs expects a whole number, but got '1.5'");
        OneSentence(CliRunner.Run("train", "--data", " "), "empty path");
        OneSentence(CliRunner.Run("export", "--model", _dir), $"'{_dir}' is a folder, not a file");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1e308")]
    [InlineData("Infinity")]
    [InlineData("1e-9")]
    [InlineData("0")]
    [InlineData("-5")]
    public void ABadStallTimeoutIsOneSentenceNamingTheVariable(string value)
    {
        string? old = Environment.GetEnvironmentVariable(CifarFiles.StallSecondsVariable);
        Environment.SetEnvironmentVariable(CifarFiles.StallSecondsVariable, value);
        try
        {
            var e = Assert.Throws<UserError>(() => CifarFiles.StallTimeout());
            Assert.StartsWith($"{CifarFiles.StallSecondsVariable} is '{value}'", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CifarFiles.StallSecondsVariable, old);
        }
    }

    [Theory]
    [InlineData("not a url", "not a url")]
    [InlineData("ftp://mirror/cifar10/", "ftp://mirror/cifar10/")]
    [InlineData("file:///tmp/cifar10/", "file:///tmp/cifar10/")]
    [InlineData("gopher://user:secret@mirror/", "gopher://***@mirror/")]
    public void ABadDownloadUrlIsOneSentenceWithItsPasswordMasked(string value, string shown)
    {
        string? old = Environment.GetEnvironmentVariable(CifarFiles.DownloadUrlVariable);
        Environment.SetEnvironmentVariable(CifarFiles.DownloadUrlVariable, value);
        try
        {
            var e = Assert.Throws<UserError>(() => CifarFiles.BaseUrl(CifarDownloader.DefaultBaseUrl));
            Assert.StartsWith($"{CifarFiles.DownloadUrlVariable} is '{shown}'", e.Message);
            Assert.DoesNotContain("secret", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CifarFiles.DownloadUrlVariable, old);
        }
    }
}
