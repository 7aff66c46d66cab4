using IlgpuCnn.Models;

namespace IlgpuCnn.Tests.Models;

[Collection(DeviceCollection.Name)]
public sealed class VggModelTests
{
    private readonly DeviceFixture _fx;

    public VggModelTests(DeviceFixture fx) => _fx = fx;

    [Fact]
    public void ParameterTotalsMatchTheTutorial()
    {
        using var model = VggModel.Create(_fx.Device, 1.0);
        Assert.Equal(1_245_482, model.Store.TotalCount);
        Assert.Equal(1_243_050, model.Store.TrainableCount);
        Assert.Equal(2_432, model.Store.StateCount);
        string summary = ModelSummary.Format(model.Network, VggModel.InputShape(1), model.Store);
        Assert.Contains("Total params: 1,245,482", summary);
        Assert.Contains("Trainable params: 1,243,050", summary);
        Assert.Contains("Non-trainable params: 2,432", summary);
        Assert.Contains("block1.conv1 (Conv2d)", summary);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    [InlineData(0.3)]
    public void TheShapeOnlySummaryEqualsTheBuiltModelsSummary(double width)
    {
        using var model = VggModel.Create(_fx.Device, width);
        string built = ModelSummary.Format(model.Network, VggModel.InputShape(1), model.Store);
        string shapeOnly = ModelSummary.Format(VggModel.NetworkName, VggModel.Layout(width), VggModel.InputShape(1));
        Assert.Equal(built, shapeOnly);
        Assert.Equal(model.Network.Layers.Select(l => l.Name), VggModel.Layout(width).Select(l => l.Name));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1e6)]
    public void ALayoutWhoseCountsCannotExistIsRefused(double width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => VggModel.Layout(width));

    [Fact]
    public void InitialisationFollowsKeras()
    {
        using var model = VggModel.Create(_fx.Device, 0.25, seed: 5);
        var values = model.Store.Download();
        foreach (var p in model.Store.All)
        {
            long start = model.Store.FlatOffset(p);
            var v = values.AsSpan((int)start, p.Count).ToArray();
            if (p.Name.EndsWith(".kernel", StringComparison.Ordinal))
            {
                double limit = Math.Sqrt(6.0 / (p.FanIn + p.FanOut));
                Assert.All(v, x => Assert.InRange(x, -limit, limit));
                Assert.True(v.Max() > 0.8 * limit && v.Min() < -0.8 * limit, $"{p.Name} does not span its Glorot range");
            }
            else if (p.Name.EndsWith(".gamma", StringComparison.Ordinal) || p.Name.EndsWith(".moving_variance", StringComparison.Ordinal))
            {
                Assert.All(v, x => Assert.Equal(1f, x));
            }
            else
            {
                Assert.All(v, x => Assert.Equal(0f, x));
            }
        }
    }
}
