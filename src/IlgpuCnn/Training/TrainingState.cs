using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>
/// Everything besides tensors that a resumed run needs to continue exactly: where it stopped
/// (epochs completed, batches done in the current epoch, optimizer iterations), the learning rate,
/// the callbacks' counters, the history so far, and the running metric sums of a part-done epoch.
/// The random streams are counter-based, keyed by (seed, epoch, step), so the position IS the
/// RNG state.
/// </summary>
public sealed record TrainingState
{
    public int EpochsCompleted { get; init; }

    public int BatchesDoneInEpoch { get; init; }

    public long Iterations { get; init; }

    public double LearningRate { get; init; }

    public double LossSum { get; init; }

    public double CorrectSum { get; init; }

    public EarlyStoppingState? EarlyStopping { get; init; }

    public ReduceLROnPlateauState? ReduceLr { get; init; }

    public Dictionary<string, List<double>> History { get; init; } = new();

    public bool StopTraining { get; init; }

    /// <summary>
    /// Refuses values no run can have written (a damaged or crafted checkpoint): negative counters,
    /// a position past the end of an epoch of <paramref name="stepsPerEpoch"/> steps, a learning
    /// rate that is not a positive number, non-finite sums, history lists of the wrong length.
    /// </summary>
    public void Validate(string path, int stepsPerEpoch)
    {
        void Require(bool ok, string field, object? value, string expected)
        {
            if (!ok)
            {
                throw new UserError($"The training state in '{path}' has {field} = {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}, but it must be {expected}; the checkpoint is damaged, use another one.");
            }
        }

        const int maxEpochs = 1_000_000;
        Require(EpochsCompleted is >= 0 and <= maxEpochs, "epochs_completed", EpochsCompleted, $"between 0 and {maxEpochs:N0}");
        Require(BatchesDoneInEpoch >= 0 && BatchesDoneInEpoch < stepsPerEpoch, "batches_done_in_epoch", BatchesDoneInEpoch, $"between 0 and {stepsPerEpoch - 1} (this run has {stepsPerEpoch} steps per epoch, so the checkpoint is of another batch size or row limit)");
        Require(Iterations >= 0 && Iterations <= (long)(EpochsCompleted + 1) * int.MaxValue, "iterations", Iterations, "zero or positive");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, "learning_rate", LearningRate, "a positive number");
        Require(double.IsFinite(LossSum) && LossSum >= 0, "loss_sum", LossSum, "a finite number, zero or positive");
        Require(double.IsFinite(CorrectSum) && CorrectSum >= 0, "correct_sum", CorrectSum, "a finite number, zero or positive");
        foreach (var (name, values) in History)
        {
            Require(values is not null && values.Count == EpochsCompleted, $"history.{name} length", values?.Count, $"{EpochsCompleted} (one value per completed epoch)");
        }

        if (EarlyStopping is { } es)
        {
            Require(es.Wait >= 0 && es.Wait <= EpochsCompleted, "early_stopping.wait", es.Wait, $"between 0 and {EpochsCompleted}");
            Require(es.BestEpoch >= 0 && es.BestEpoch <= Math.Max(0, EpochsCompleted - 1), "early_stopping.best_epoch", es.BestEpoch, $"between 0 and {Math.Max(0, EpochsCompleted - 1)}");
            Require(es.StoppedEpoch >= 0 && es.StoppedEpoch <= EpochsCompleted, "early_stopping.stopped_epoch", es.StoppedEpoch, $"between 0 and {EpochsCompleted}");
            Require(es.Best is null || !double.IsNaN(es.Best.Value), "early_stopping.best", es.Best, "a number");
        }

        if (ReduceLr is { } r)
        {
            Require(r.Wait >= 0 && r.Wait <= EpochsCompleted, "reduce_lr.wait", r.Wait, $"between 0 and {EpochsCompleted}");
            Require(r.CooldownCounter >= 0 && r.CooldownCounter <= maxEpochs, "reduce_lr.cooldown_counter", r.CooldownCounter, "zero or positive");
            Require(r.Best is null || !double.IsNaN(r.Best.Value), "reduce_lr.best", r.Best, "a number");
        }
    }
}
