using System.Text.Json;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training.Callbacks;

/// <summary>Keras' own EarlyStopping cases (keras/src/callbacks/early_stopping_test.py) plus state round trips.</summary>
public sealed class EarlyStoppingTests
{
    /// <summary>Feeds <paramref name="values"/> as one metric, weights = epoch; returns the epochs run.</summary>
    private static int Drive(EarlyStopping stopper, FakeTrainingControl control, string metric, double[] values, int stopAtEpoch = -1)
    {
        int run = 0;
        stopper.OnTrainBegin(control);
        for (int epoch = 0; epoch < values.Length; epoch++)
        {
            run++;
            control.Weight = epoch;
            stopper.OnEpochEnd(epoch, new EpochLogs().Set(metric, values[epoch]), control);
            if (epoch == stopAtEpoch)
            {
                control.StopTraining = true;
            }

            if (control.StopTraining)
            {
                break;
            }
        }

        stopper.OnTrainEnd(control);
        return run;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PatienceStopsAtMaxPatienceOnePlusTwo(int patience)
    {
        double[] losses = [10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5];
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Monitor: "loss", Patience: patience));
        Drive(stopper, new FakeTrainingControl(), "loss", losses);
        Assert.Equal(Math.Max(patience, 1) + 2, stopper.StoppedEpoch);
    }

    [Fact]
    public void RestoresTheBestEpochsWeights()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 2, RestoreBestWeights: true));
        var control = new FakeTrainingControl();
        Drive(stopper, control, "val_loss", [0.2, 0.15, 0.1, 0.11, 0.12]);
        Assert.Equal(2f, control.Weight);
        Assert.Equal(4, stopper.StoppedEpoch);
    }

    [Fact]
    public void WithoutImprovingOnTheBaselineItRunsPatienceEpochsAndRestoresTheBest()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 5, Baseline: 0.5, RestoreBestWeights: true));
        var control = new FakeTrainingControl();
        int run = Drive(stopper, control, "val_loss", [0.9, 0.8, 0.7, 0.71, 0.72, 0.73]);
        Assert.Equal(5, run);
        Assert.Equal(2f, control.Weight);
    }

    [Fact]
    public void RestoresWhenAnotherCallbackStopsTraining()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 5, Baseline: 0.5, RestoreBestWeights: true));
        var control = new FakeTrainingControl();
        int run = Drive(stopper, control, "val_loss", [0.9, 0.8, 0.7, 0.71, 0.72, 0.73], stopAtEpoch: 3);
        Assert.Equal(4, run);
        Assert.Equal(0, stopper.StoppedEpoch);
        Assert.Equal(2f, control.Weight);
    }

    [Fact]
    public void RestoresAlsoWhenTrainingRunsOutOfEpochs()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 10, RestoreBestWeights: true));
        var control = new FakeTrainingControl();
        int run = Drive(stopper, control, "val_loss", [0.5, 0.3, 0.4, 0.45]);
        Assert.Equal(4, run);
        Assert.Equal(0, stopper.StoppedEpoch);
        Assert.Equal(1f, control.Weight);
        Assert.Equal(1, control.Restores);
    }

    [Fact]
    public void MaxModeAndMinDelta()
    {
        // accuracy: 0.5 → 0.6 improves; 0.605 is within min_delta 0.01, so it counts as no improvement.
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Monitor: "val_accuracy", MinDelta: 0.01, Patience: 2));
        int run = Drive(stopper, new FakeTrainingControl(), "val_accuracy", [0.5, 0.6, 0.605, 0.609, 0.7]);
        Assert.Equal(4, run);
        Assert.Equal(3, stopper.StoppedEpoch);
        Assert.Equal(0.6, stopper.BestValue);
        Assert.Equal(1, stopper.BestEpoch);
    }

    [Fact]
    public void StartFromEpochIgnoresTheWarmUp()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 1, StartFromEpoch: 3));
        int run = Drive(stopper, new FakeTrainingControl(), "val_loss", [1, 2, 3, 4, 5, 6]);
        // Epochs 0-2 ignored; 3 sets the best; 4 has waited 1 >= patience.
        Assert.Equal(5, run);
        Assert.Equal(4, stopper.StoppedEpoch);
        Assert.Equal(3, stopper.BestEpoch);
    }

    [Fact]
    public void MissingMetricIsIgnored()
    {
        var stopper = new EarlyStopping(new EarlyStoppingOptions(Patience: 0));
        int run = Drive(stopper, new FakeTrainingControl(), "loss", [3, 4, 5]);
        Assert.Equal(3, run);
        Assert.Null(stopper.BestValue);
    }

    [Fact]
    public void StateRoundTripsThroughJsonAndResumesIdentically()
    {
        double[] losses = [0.9, 0.7, 0.8, 0.75, 0.72, 0.71, 0.74, 0.73];
        var options = new EarlyStoppingOptions(Patience: 4, RestoreBestWeights: true);

        var straight = new EarlyStopping(options);
        var straightControl = new FakeTrainingControl();
        int straightRun = Drive(straight, straightControl, "val_loss", losses);

        // Run 3 epochs, checkpoint, then continue in a fresh instance.
        var first = new EarlyStopping(options);
        var control = new FakeTrainingControl();
        first.OnTrainBegin(control);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            control.Weight = epoch;
            first.OnEpochEnd(epoch, new EpochLogs().Set("val_loss", losses[epoch]), control);
        }

        string json = JsonSerializer.Serialize(first.GetState());
        float[] weights = [.. first.BestWeights!];
        var state = JsonSerializer.Deserialize<EarlyStoppingState>(json)!;
        Assert.Equal(first.GetState(), state);

        var resumed = new EarlyStopping(options);
        var control2 = new FakeTrainingControl();
        resumed.OnTrainBegin(control2);
        resumed.SetState(state, weights);
        int run = 3;
        for (int epoch = 3; epoch < losses.Length && !control2.StopTraining; epoch++, run++)
        {
            control2.Weight = epoch;
            resumed.OnEpochEnd(epoch, new EpochLogs().Set("val_loss", losses[epoch]), control2);
        }

        resumed.OnTrainEnd(control2);
        Assert.Equal(straightRun, run);
        Assert.Equal(straight.GetState(), resumed.GetState());
        Assert.Equal(straightControl.Weight, control2.Weight);
        Assert.Equal(1f, control2.Weight);
    }

    [Fact]
    public void FreshStateSerialisesWithoutInfinity()
    {
        var stopper = new EarlyStopping();
        string json = JsonSerializer.Serialize(stopper.GetState());
        Assert.Contains("\"Best\":null", json, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => stopper.SetState(new EarlyStoppingState(1, 0, 0, 0.5, HasBestWeights: true)));
    }
}
