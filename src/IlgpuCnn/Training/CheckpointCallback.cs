using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>
/// Writes the resumable training checkpoint at the end of every epoch (after the other callbacks
/// updated their state), with the run's options so that a resume can refuse conflicting ones.
/// </summary>
public sealed class CheckpointCallback(string path, RunOptions? run = null) : ICallback
{
    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control) => control.SaveCheckpoint(path, run);
}
