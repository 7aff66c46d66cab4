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

        // The whole predict command, in its own process: its peak resident memory stays small.
        using var child = CliProcess.Start(["predict", "--device", "cpu", "--model", Path.Combine(_dir, "none.safetensors"), bomb]);
        long peak = 0;
        while (!child.HasExited && peak < 300L << 20)
        {
            peak = Math.Max(peak, PeakResidentBytes(child.Id));
            Thread.Sleep(10);
        }

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
