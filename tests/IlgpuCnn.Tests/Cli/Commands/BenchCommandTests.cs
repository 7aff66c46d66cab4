namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary><c>bench</c>'s per-op table names, for every conv and dense layer, the bodies the kernel plan runs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class BenchCommandTests
{
    [Fact]
    public void ThePerOpTableShowsThePlansBodies()
    {
        var (code, output, error) = CliRunner.Run("bench", "--device", "cpu", "--batch-size", "2", "--steps", "1", "--width", "0.0625");
        Assert.True(code == 0, error);
        Assert.Contains("plan: fwd / bwd-data / bwd-weights", output);
        Assert.Matches(@"block1\.conv1 +Conv2d .*  Simple / - / Simple", output);
        Assert.Matches(@"block2\.conv2 +Conv2d .*  Simple / Simple / Simple", output);
        Assert.Matches(@"head\.dense2 +Dense .*  Simple / Simple / Simple", output);
        Assert.Matches(@"block1\.bn1 +BatchNormRelu .*  -", output);
    }
}
