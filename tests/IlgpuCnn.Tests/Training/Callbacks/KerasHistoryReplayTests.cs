using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training.Callbacks;

/// <summary>
/// Replays the tutorial's val_loss column through the recipe's callbacks and checks they act on
/// exactly the epochs the tutorial's log shows (docs/CONTRACT.md: lr halved before 31, 38, 50, 65, 72;
/// stopped after 76; epoch 66 restored).
/// </summary>
public sealed class KerasHistoryReplayTests
{
    private sealed record Replay(int EpochsRun, double[] LrInUse, EarlyStopping EarlyStopping, FakeTrainingControl Control);

    private static Replay Run(KerasReferenceHistory reference, bool earlyStoppingFirst)
    {
        var early = new EarlyStopping(EarlyStoppingOptions.Recipe);
        var reduce = new ReduceLROnPlateau(ReduceLROnPlateauOptions.Recipe);
        ICallback[] callbacks = earlyStoppingFirst ? [early, reduce] : [reduce, early];
        var control = new FakeTrainingControl { LearningRate = 1e-3 };
        var lrInUse = new List<double>();

        foreach (var cb in callbacks)
        {
            cb.OnTrainBegin(control);
        }

        int epochsRun = 0;
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Assert.True(epoch < reference.Count, $"the replay ran past the {reference.Count} epochs of the reference log");
            foreach (var cb in callbacks)
            {
                cb.OnEpochBegin(epoch, control);
            }

            lrInUse.Add(control.LearningRate);
            control.Weight = epoch; // the "weights" at the end of this epoch
            var logs = EpochLogs.Create(
                reference.Accuracy[epoch], reference.Loss[epoch], reference.ValAccuracy[epoch], reference.ValLoss[epoch], control.LearningRate);
            foreach (var cb in callbacks)
            {
                cb.OnEpochEnd(epoch, logs, control);
            }

            epochsRun++;
            if (control.StopTraining)
            {
                break;
            }
        }

        foreach (var cb in callbacks)
        {
            cb.OnTrainEnd(control);
        }

        return new Replay(epochsRun, [.. lrInUse], early, control);
    }

    [Theory]
    [InlineData(true)]  // the tutorial's order: callbacks=[early_stopping, reduce_lr]
    [InlineData(false)]
    public void ReplayReproducesTheTutorialsSchedule(bool earlyStoppingFirst)
    {
        var reference = KerasReferenceHistory.Load();
        var replay = Run(reference, earlyStoppingFirst);

        Assert.Equal(76, replay.EpochsRun);
        Assert.Equal(reference.Count, replay.EpochsRun);
        Assert.Equal(75, replay.EarlyStopping.StoppedEpoch); // Keras prints "Epoch 76: early stopping"
        Assert.Equal(65, replay.EarlyStopping.BestEpoch);    // "Restoring ... best epoch: 66"
        Assert.Equal(0.4019, replay.EarlyStopping.BestValue);
        Assert.Equal(65f, replay.Control.Weight);
        Assert.Equal(1, replay.Control.Restores);

        // Every epoch's rate against the csv's learning_rate column (float32-held rates: relative 1e-6).
        for (int e = 0; e < replay.EpochsRun; e++)
        {
            double expected = reference.LearningRate[e];
            Assert.True(Math.Abs(replay.LrInUse[e] - expected) <= 1e-6 * expected,
                $"epoch {e + 1}: lr {replay.LrInUse[e]:R}, the tutorial used {expected:R}");
        }

        // And the documented schedule, 1-based epochs.
        double ExpectedLr(int epoch1) => epoch1 switch
        {
            <= 30 => 1e-3,
            <= 37 => 5e-4,
            <= 49 => 2.5e-4,
            <= 64 => 1.25e-4,
            <= 71 => 6.25e-5,
            _ => 3.125e-5,
        };
        for (int e = 0; e < replay.EpochsRun; e++)
        {
            Assert.Equal(ExpectedLr(e + 1), replay.LrInUse[e], 1e-6 * ExpectedLr(e + 1));
        }
    }
}
