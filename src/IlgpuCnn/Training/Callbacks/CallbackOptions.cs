namespace IlgpuCnn.Training.Callbacks;

/// <summary>The recipe's callbacks and their arguments (Keras' values by default).</summary>
public sealed record CallbackOptions
{
    public EarlyStoppingOptions EarlyStopping { get; init; } = EarlyStoppingOptions.Recipe;

    public ReduceLROnPlateauOptions ReduceLr { get; init; } = ReduceLROnPlateauOptions.Recipe;
}
