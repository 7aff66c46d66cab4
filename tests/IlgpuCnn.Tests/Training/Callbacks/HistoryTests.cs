using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training.Callbacks;

public sealed class HistoryTests
{
    [Fact]
    public void RecordsOneListPerMetricInKerasOrder()
    {
        var history = new History();
        var control = new FakeTrainingControl();
        ICallback cb = history;
        cb.OnEpochEnd(0, EpochLogs.Create(0.3, 1.9, 0.4, 1.7, 1e-3), control);
        cb.OnEpochEnd(1, EpochLogs.Create(0.5, 1.4, 0.6, 1.2, 5e-4), control);

        Assert.Equal(["accuracy", "loss", "val_accuracy", "val_loss", "learning_rate"], history.Names);
        Assert.All(history.Names, n => Assert.Equal(2, history[n].Count));
        Assert.Equal([1.7, 1.2], history["val_loss"]);
        Assert.Equal([1e-3, 5e-4], history["learning_rate"]);
        Assert.Empty(history["missing"]);
    }

    [Fact]
    public void ResumedHistoryContinuesFromThePreviousLists()
    {
        var previous = new Dictionary<string, IReadOnlyList<double>> { ["loss"] = [2.0, 1.5], ["val_loss"] = [1.8, 1.6] };
        var history = new History();
        history.Record(new EpochLogs().Set("loss", 9.0));
        history.Restore(previous);
        history.Record(new EpochLogs().Set("loss", 1.2).Set("val_loss", 1.4));
        Assert.Equal(["loss", "val_loss"], history.Names);
        Assert.Equal([2.0, 1.5, 1.2], history["loss"]);
        Assert.Equal([1.8, 1.6, 1.4], history["val_loss"]);
    }
}
