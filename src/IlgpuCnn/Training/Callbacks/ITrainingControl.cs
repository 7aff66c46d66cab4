namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// What a callback may see and change of a running training loop (the trainer implements it),
/// the counterpart of Keras' <c>callback.model</c>.
/// </summary>
public interface ITrainingControl
{
    /// <summary>The optimizer's learning rate; a new value applies from the next step on.</summary>
    double LearningRate { get; set; }

    /// <summary>Set to true to end training after the current epoch (Keras' <c>model.stop_training</c>).</summary>
    bool StopTraining { get; set; }

    /// <summary>A host copy of all model state (trainable weights and BatchNorm moving statistics).</summary>
    float[] CaptureWeights();

    /// <summary>Puts back model state previously returned by <see cref="CaptureWeights"/>.</summary>
    void RestoreWeights(float[] weights);

    /// <summary>Writes everything a resumed run needs to <paramref name="path"/>, with the run's options when given.</summary>
    void SaveCheckpoint(string path, RunOptions? run);
}
