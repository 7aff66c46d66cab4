using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>Where the trainer reports progress (the CLI draws a Keras-like bar; tests stay silent).</summary>
public interface ITrainingReporter
{
    /// <summary>An epoch (1-based) of <paramref name="epochs"/> starts with <paramref name="steps"/> steps.</summary>
    void EpochStarted(int epoch, int epochs, int steps) { }

    /// <summary>Running means within the epoch, at most a few times a second.</summary>
    void StepProgress(int step, int steps, TimeSpan elapsed, double accuracy, double loss) { }

    /// <summary>
    /// The epoch's line: its logs and wall time; <paramref name="stepsTimed"/> of the
    /// <paramref name="steps"/> ran in <paramref name="elapsed"/> (fewer after a mid-epoch resume).
    /// </summary>
    void EpochEnded(int epoch, int steps, int stepsTimed, EpochLogs logs, TimeSpan elapsed) { }

    /// <summary>A plain message (callback decisions, checkpoint written, ...).</summary>
    void Message(string text) { }

    /// <summary>The run entered <paramref name="phase"/> (what an interruption would do depends on it).</summary>
    void PhaseChanged(TrainingPhase phase) { }
}

/// <summary>A reporter that shows nothing.</summary>
public sealed class SilentReporter : ITrainingReporter
{
    public static readonly SilentReporter Instance = new();
}
