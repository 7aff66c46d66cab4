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
}
