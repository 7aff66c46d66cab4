using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

public sealed class DataSplitTests
{
    [Fact]
    public void RecipeSplitIsTheLast10000Of50000()
    {
        var split = DataSplit.Create(50_000, 0.2);
        Assert.Equal(40_000, split.TrainCount);
        Assert.Equal(10_000, split.ValidationCount);
        var validation = split.ValidationIndices();
        Assert.Equal(40_000, validation[0]);
        Assert.Equal(49_999, validation[^1]);
        Assert.Equal(40_000, split.TrainCount);
    }

    [Theory]
    [InlineData(10, 0.25, 7, 3)]   // Keras: floor(10·0.75) = 7
    [InlineData(101, 0.2, 80, 21)] // floor(80.8) = 80
    [InlineData(5, 0.0, 5, 0)]
    [InlineData(3, 0.5, 1, 2)]
    public void KerasFloorRule(int rows, double fraction, int train, int validation)
    {
        var split = DataSplit.Create(rows, fraction);
        Assert.Equal((train, validation), (split.TrainCount, split.ValidationCount));
        Assert.Equal(rows, split.Rows);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void FractionOutsideZeroToOneIsRefused(double fraction)
    {
        var e = Assert.Throws<OptionException>(() => DataSplit.Create(100, fraction));
        Assert.Equal("ValidationSplit", e.Option);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoTrainingRowsLeftIsRefused()
    {
        var e = Assert.Throws<OptionException>(() => DataSplit.Create(1, 0.5));
        Assert.Contains("no training rows", e.Message);
    }

    [Theory]
    [InlineData(256, 1e-17)]
    [InlineData(40, 1e-18)]
    public void NoValidationRowsLeftNamesTheSplitNotTheLoss(int rows, double fraction)
    {
        var e = Assert.Throws<OptionException>(() => DataSplit.Create(rows, fraction));
        Assert.Contains($"validation split of {fraction} leaves no validation rows out of {rows}", e.Message);
        Assert.DoesNotContain("--lr", e.Message);
    }
}
