namespace IlgpuCnn.Training.Callbacks;

/// <summary>The recipe's callbacks and their arguments (Keras' values by default).</summary>
public sealed record CallbackOptions
{
    public EarlyStoppingOptions EarlyStopping { get; init; } = EarlyStoppingOptions.Recipe;

    public ReduceLROnPlateauOptions ReduceLr { get; init; } = ReduceLROnPlateauOptions.Recipe;

    /// <summary>Throws an <see cref="OptionException"/> naming the first value out of range (a crafted checkpoint or config can hold any).</summary>
    public void Validate()
    {
        var (es, lr) = (EarlyStopping, ReduceLr);
        OptionException.Require(es.Patience >= 0 && es.StartFromEpoch >= 0, nameof(EarlyStopping), $"EarlyStopping's patience and start_from_epoch must be zero or positive, but got {es.Patience} and {es.StartFromEpoch}.");
        OptionException.Require(es.MinDelta >= 0 && double.IsFinite(es.MinDelta), nameof(EarlyStopping), $"EarlyStopping's min_delta must be a finite number, zero or positive, but got {es.MinDelta}.");
        OptionException.Require(lr.Factor > 0 && lr.Factor < 1, nameof(ReduceLr), $"ReduceLROnPlateau's factor must be between 0 and 1 (exclusive), but got {lr.Factor}.");
        OptionException.Require(lr.Patience >= 0 && lr.Cooldown >= 0, nameof(ReduceLr), $"ReduceLROnPlateau's patience and cooldown must be zero or positive, but got {lr.Patience} and {lr.Cooldown}.");
        OptionException.Require(lr.MinDelta >= 0 && double.IsFinite(lr.MinDelta) && lr.MinLearningRate >= 0 && double.IsFinite(lr.MinLearningRate), nameof(ReduceLr), $"ReduceLROnPlateau's min_delta and min_lr must be finite numbers, zero or positive, but got {lr.MinDelta} and {lr.MinLearningRate}.");
    }
}
