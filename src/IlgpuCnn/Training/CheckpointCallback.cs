using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>Writes the resumable training checkpoint at the end of every epoch (after the other callbacks updated their state).</summary>
public sealed class CheckpointCallback : ICallback
{
    private readonly string _path;
    private readonly Func<Trainer> _trainer;

    public CheckpointCallback(string path, Func<Trainer> trainer)
    {
        _path = path;
        _trainer = trainer;
    }

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control) => Checkpoint.SaveTraining(_path, _trainer());
}
