using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// A diverging run (huge --lr or --weight-decay) stops within seconds with one sentence naming the
/// epoch and step, keeps the last good checkpoint, and NaN weights are refused by evaluate and
/// predict. Each case runs the real executable with a timeout: before the NaN-safe sums they hung.
/// </summary>
public sealed class DivergenceTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DataDir() => TestParquet.TinySplits(_dir);

    private static string[] Tiny(string data, string run, params string[] more) =>
        ["train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--batch-size", "8", .. more];

    [Fact]
    public void AHugeLearningRateStopsInSecondsWithTheEpochAndStep()
    {
        string run = Path.Combine(_dir, "run");
        var (code, _, err, seconds) = CliProcess.Run(Limit, null, Tiny(DataDir(), run, "--epochs", "2", "--lr", "1e10"));
        Assert.True(code is not null, $"the diverging run was still going after {Limit.TotalSeconds} s: {err}");
        Assert.Equal(1, code);
        Assert.Matches(@"The training loss became (NaN|infinite|-infinite) at epoch 1, step \d+", err);
        Assert.Contains("no epoch finished", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(run, RunFiles.Checkpoint)));
        Assert.True(seconds < Limit.TotalSeconds);
    }

    [Fact]
    public void DivergingAfterAGoodEpochKeepsItsCheckpointAndNaNWeightsAreRefused()
    {
        string data = DataDir();
        string run = Path.Combine(_dir, "run");
        var first = CliProcess.Run(Limit, null, Tiny(data, run, "--epochs", "1"));
        Assert.True(first.Code == 0, first.Err);
        string checkpoint = Path.Combine(run, RunFiles.Checkpoint);
        byte[] good = File.ReadAllBytes(checkpoint);

        var diverged = CliProcess.Run(Limit, null, Tiny(data, run, "--epochs", "3", "--weight-decay", "1e12", "--resume", checkpoint));
        Assert.True(diverged.Code is not null, $"the diverging run was still going after {Limit.TotalSeconds} s: {diverged.Err}");
        Assert.Equal(1, diverged.Code);
        Assert.Matches(@"The training loss became (NaN|infinite|-infinite) at epoch 2, step \d+", diverged.Err);
        Assert.Contains($"the checkpoint of the last good epoch (1) is {checkpoint}", diverged.Err);
        Assert.Single(diverged.Err.Trim().Split('\n'));
        Assert.Equal(good, File.ReadAllBytes(checkpoint));

        // A model file whose weights are NaN (what a diverged run would have saved).
        var content = SafeTensors.Read(Path.Combine(run, RunFiles.Model));
        var tensors = content.Tensors.Select(t => t.Name.EndsWith("dense2.kernel", StringComparison.Ordinal)
            ? NamedTensor.F32(t.Name, t.Shape, t.ToFloats().Select((v, i) => i % 3 == 0 ? float.NaN : v).ToArray())
            : t).ToList();
        string nan = Path.Combine(_dir, "nan.safetensors");
        SafeTensors.Write(nan, tensors, content.Metadata);
        string png = Path.Combine(_dir, "a.png");
        File.WriteAllBytes(png, TestParquet.RandomPng(1));
        foreach (var args in new[] { new[] { "evaluate", "--device", "cpu", "--model", nan, "--data", data, "--out", Path.Combine(_dir, "eval") }, ["predict", "--device", "cpu", "--model", nan, png, png] })
        {
            var refused = CliProcess.Run(Limit, null, args);
            Assert.True(refused.Code is not null, $"{args[0]} on NaN weights was still going after {Limit.TotalSeconds} s");
            Assert.Equal(1, refused.Code);
            Assert.Contains("non-finite", refused.Err);
            Assert.Contains(nan, refused.Err);
            Assert.Single(refused.Err.Trim().Split('\n'));
        }
    }
}
