using System.Text.Json;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training.Callbacks;

/// <summary>
/// Keras' ReduceLROnPlateau cases (keras/src/callbacks/reduce_lr_on_plateau_test.py: their
/// min_delta makes every epoch a non-improvement after the first) plus edge cases and resume.
/// </summary>
public sealed class ReduceLROnPlateauTests
{
    private static FakeTrainingControl Drive(ReduceLROnPlateau reduce, double[] valLosses, double lr = 0.1)
    {
        var control = new FakeTrainingControl { LearningRate = lr };
        reduce.OnTrainBegin(control);
        for (int epoch = 0; epoch < valLosses.Length; epoch++)
        {
            reduce.OnEpochEnd(epoch, new EpochLogs().Set("val_loss", valLosses[epoch]), control);
        }

        return control;
    }

    [Fact]
    public void ReducesTheRate()
    {
        // Keras: patience 1, factor 0.1, min_delta 100, 2 epochs, Adam(0.1) → 0.01.
        var control = Drive(new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 1, Factor: 0.1, MinDelta: 100)), [0.5, 0.4]);
        Assert.Equal(0.01f, (float)control.LearningRate);
    }

    [Fact]
    public void HonoursMinLr()
    {
        // Keras: patience 1, factor 0.1, min_delta 10, min_lr 0.005, 4 epochs → 0.005.
        var control = Drive(
            new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 1, Factor: 0.1, MinDelta: 10, MinLearningRate: 0.005)),
            [0.5, 0.4, 0.3, 0.2]);
        Assert.Equal(0.005f, (float)control.LearningRate);
    }

    [Fact]
    public void CooldownHalvesTheReductions()
    {
        // Keras: patience 1, factor 0.1, min_delta 100, cooldown 2, 4 epochs → 0.001 (two reductions).
        var control = Drive(
            new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 1, Factor: 0.1, MinDelta: 100, Cooldown: 2)),
            [0.5, 0.4, 0.3, 0.2]);
        Assert.Equal(0.001, control.LearningRate, 1e-9);
    }

    [Fact]
    public void StopsReducingAtMinLrWithFloat32Comparison()
    {
        // Rates are float32 as in Keras: once at float32(1e-5), old_lr > float32(min_lr) is false.
        var reduce = new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 1, Factor: 0.5, MinLearningRate: 1e-5));
        var control = Drive(reduce, [1, 1, 1, 1, 1, 1, 1, 1, 1], lr: 4e-5);
        Assert.Equal((double)1e-5f, control.LearningRate);
        // Keras keeps counting: epochs 3..8 each add to wait without a reduction being possible.
        Assert.Equal(6, reduce.Wait);
    }

    [Fact]
    public void ImprovementMustExceedMinDelta()
    {
        var reduce = new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 3, Factor: 0.5, MinDelta: 1e-4));
        var control = Drive(reduce, [1.0, 0.99995, 0.99991, 0.9]);
        Assert.Equal(0.1, control.LearningRate);
        Assert.Equal(0.9, reduce.BestValue);
        Assert.Equal(0, reduce.Wait);
        control = Drive(reduce, [1.0, 0.99995, 0.99991, 0.99992]);
        Assert.Equal((double)0.05f, control.LearningRate);
    }

    [Fact]
    public void WritesTheRateInUseIntoTheLogs()
    {
        var reduce = new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Patience: 0, Factor: 0.5));
        var control = new FakeTrainingControl { LearningRate = 0.25 };
        reduce.OnEpochEnd(0, new EpochLogs().Set("val_loss", 1), control); // first epoch: an improvement on +inf
        Assert.Equal(0.25, control.LearningRate);
        var logs = new EpochLogs().Set("val_loss", 1);
        reduce.OnEpochEnd(1, logs, control);
        Assert.Equal(0.25, logs[EpochLogs.LearningRate]);
        Assert.Equal(0.125, control.LearningRate);
    }

    [Fact]
    public void RejectsFactorOfOneOrMore() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(new ReduceLROnPlateauOptions(Factor: 1.0)));

    [Fact]
    public void StateRoundTripsThroughJsonAndResumesIdentically()
    {
        double[] losses = [1, 0.9, 0.95, 0.97, 0.91, 0.92, 0.93, 0.96, 0.94, 0.99];
        var options = new ReduceLROnPlateauOptions(Patience: 2, Factor: 0.5, Cooldown: 1);
        var straight = new ReduceLROnPlateau(options);
        var straightControl = Drive(straight, losses);

        var first = new ReduceLROnPlateau(options);
        var control = Drive(first, losses[..4]); // epoch 3 reduced: cooldown pending
        var state = JsonSerializer.Deserialize<ReduceLROnPlateauState>(JsonSerializer.Serialize(first.GetState()))!;
        Assert.Equal(first.GetState(), state);
        Assert.Equal(1, state.CooldownCounter);

        var resumed = new ReduceLROnPlateau(options);
        resumed.OnTrainBegin(control);
        resumed.SetState(state);
        for (int epoch = 4; epoch < losses.Length; epoch++)
        {
            resumed.OnEpochEnd(epoch, new EpochLogs().Set("val_loss", losses[epoch]), control);
        }

        Assert.Equal(straightControl.LearningRate, control.LearningRate);
        Assert.Equal(straight.GetState(), resumed.GetState());
        Assert.True(control.LearningRate < 0.1);
    }
}
