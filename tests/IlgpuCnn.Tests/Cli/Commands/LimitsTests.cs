using System.Diagnostics;
using IlgpuCnn.Cli.Commands;
using IlgpuCnn.Tests.Data;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>Absurd sizes are refused in one sentence, quickly, before anything big is allocated.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LimitsTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AHugePngIsRefusedBeforeDecoding()
    {
        string bomb = Path.Combine(_dir, "bomb.png");
        PngBomb.Write(bomb, 30_000, 30_000);
        Assert.True(new FileInfo(bomb).Length < 10_000_000);

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<UserError>(() => PredictCommand.LoadImage(bomb));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusing took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("30,000×30,000", e.Message);
        Assert.Contains("4,096", e.Message);

        // The whole predict command, in its own process: its peak resident memory stays small. The
        // model must be a file (checked first); the images are read before it is loaded.
        string model = Path.Combine(_dir, "unread.safetensors");
        File.WriteAllBytes(model, []);
        using var child = CliProcess.Start(["predict", "--device", "cpu", "--model", model, bomb]);
        long peak = PeakWhileRunning(child, 300L << 20);
        int? code = child.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(peak < 300L << 20, $"predict on the 30,000×30,000 PNG reached {peak >> 20} MB resident");
        Assert.Equal(1, code);
        Assert.Contains("4,096 pixels per side", child.Err);
        Assert.Single(child.Err.Trim().Split('\n'));
    }

    [Fact]
    public void AnAbsurdBatchSizeIsRefusedWithWhatItNeedsAndWhatThereIs()
    {
        var clock = Stopwatch.StartNew();
        var (code, _, err) = CliRunner.Run("bench", "--device", "cpu", "--batch-size", "100000000", "--steps", "1");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"refusing took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(1, code);
        Assert.Matches(@"bench at --width 1 with --batch-size 100,000,000 needs about [\d,.]+ GiB of memory, but the device \(ILGPU CPU accelerator\) has [\d,.]+ GiB; lower --batch-size or --width\.", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.125)]
    [InlineData(0.3)]
    public void TheParameterCountIsKnownBeforeTheModelIsBuilt(double width)
    {
        using var device = IlgpuCnn.Device.ComputeDevice.Create(IlgpuCnn.Device.DeviceKind.Cpu);
        using var model = IlgpuCnn.Models.VggModel.Create(device, width);
        Assert.Equal(model.Store.TotalCount, IlgpuCnn.Models.MemoryEstimate.ParameterCount(width));
    }

    [Fact]
    public void SummaryAtTheLargestWidthIsComputedWithoutBuildingTheModel()
    {
        // The model at --width 16 has ~317 million parameters: building it took 7.2 GB resident
        // and 46 s here. The summary comes from the architecture alone, in its own process: its
        // peak resident memory stays that of an idle program.
        using var child = CliProcess.Start(["summary", "--width", "16"]);
        long peak = PeakWhileRunning(child, 300L << 20);
        int? code = child.WaitForExit(TimeSpan.FromSeconds(90));
        Assert.True(peak < 300L << 20, $"summary --width 16 reached {peak >> 20} MB resident");
        Assert.Equal(0, code);

        // The printed counts are the architecture's: filters f_b = 32·2^b·16, dense units d = 256·16.
        long total = 0, state = 0, inChannels = 3;
        foreach (long f in new long[] { 512, 1024, 2048, 4096 })
        {
            total += (inChannels * 9 * f) + f + (f * 9 * f) + f + (2 * 4 * f);
            state += 2 * 2 * f;
            inChannels = f;
        }

        const long d = 4096;
        total += (inChannels * d) + d + (4 * d) + (d * 10) + 10;
        state += 2 * d;
        Assert.Equal(316_559_882, total); // what the allocated model's store counted before
        string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($" Total params: {Count(total)} (", child.Out);
        Assert.Contains($" Trainable params: {Count(total - state)} (", child.Out);
        Assert.Contains($" Non-trainable params: {Count(state)} (", child.Out);
        Assert.Matches(@"block4\.conv2 \(Conv2d\) +\(None, 4096, 4, 4\) +150,999,040\n", child.Out);
    }

    [Fact]
    public void SummaryAllocatesNoParameters()
    {
        // In-process: building the model would allocate its host copy (4 bytes per parameter,
        // 1.2 GB at --width 16) on this thread.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (code, output, _) = CliRunner.Run("summary", "--width", "16");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, code);
        Assert.Contains("Total params: 316,559,882", output);
        Assert.True(allocated < 16L << 20, $"summary --width 16 allocated {allocated >> 20} MB");
    }

    [Theory]
    [InlineData("17")]
    [InlineData("1e300")]
    [InlineData("NaN")]
    [InlineData("0")]
    public void SummaryRefusesAWidthOutOfRangeInOneSentence(string width)
    {
        var (code, output, err) = CliRunner.Run("summary", "--width", width);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: --width: The width must be in (0, 16], but got ", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    /// <summary>Highest VmHWM seen while <paramref name="child"/> runs, polled until it exits, reaches <paramref name="cap"/> or 90 s pass (a hang guard).</summary>
    private static long PeakWhileRunning(CliProcess child, long cap)
    {
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (!child.HasExited && peak < cap && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            peak = Math.Max(peak, PeakResidentBytes(child.Id));
            Thread.Sleep(10);
        }

        return peak;
    }

    /// <summary>VmHWM of a running process (0 once it is gone).</summary>
    private static long PeakResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
