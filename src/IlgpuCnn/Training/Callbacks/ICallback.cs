namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Hooks the trainer calls, in list order, as Keras calls <c>keras.callbacks.Callback</c>;
/// epochs are 0-based. Every method defaults to doing nothing.
/// </summary>
public interface ICallback
{
    /// <summary>Called once before the first epoch (also when a run resumes).</summary>
    void OnTrainBegin(ITrainingControl control) { }

    /// <summary>Called before epoch <paramref name="epoch"/> (0-based) starts.</summary>
    void OnEpochBegin(int epoch, ITrainingControl control) { }

    /// <summary>Called after epoch <paramref name="epoch"/> (0-based) with its training and validation metrics.</summary>
    void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control) { }

    /// <summary>Called once after the last epoch, whether it ran out of epochs or was stopped.</summary>
    void OnTrainEnd(ITrainingControl control) { }
}
