using IlgpuCnn.Training;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Tests.Training.Callbacks;

/// <summary>A trainer stand-in whose "weights" are one number (set by the test, e.g. to the epoch).</summary>
internal sealed class FakeTrainingControl : ITrainingControl
{
    public double LearningRate { get; set; } = 1e-3;

    public bool StopTraining { get; set; }

    public float Weight { get; set; } = -1;

    public int Captures { get; private set; }

    public int Restores { get; private set; }

    public float[] CaptureWeights()
    {
        Captures++;
        return [Weight];
    }

    public void RestoreWeights(float[] weights)
    {
        Restores++;
        Weight = weights[0];
    }

    /// <summary>Paths a callback asked to checkpoint to, in order.</summary>
    public List<string> Checkpoints { get; } = [];

    public void SaveCheckpoint(string path, RunOptions? run) => Checkpoints.Add(path);
}

