namespace IlgpuCnn.Training;

/// <summary>What a training run is doing now; an interruption does something different in each.</summary>
public enum TrainingPhase
{
    /// <summary>Reading data, opening the device, building the model (before the first step).</summary>
    Preparing,

    /// <summary>Downloading the dataset into the cache.</summary>
    Download,

    /// <summary>Training steps of an epoch.</summary>
    Training,

    /// <summary>The end-of-epoch validation pass.</summary>
    Validation,

    /// <summary>The test-split evaluation after training.</summary>
    FinalEvaluation,
}
