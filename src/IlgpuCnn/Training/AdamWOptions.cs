namespace IlgpuCnn.Training;

/// <summary>AdamW's hyper-parameters; the defaults are the recipe's (Keras' AdamW with weight decay 0.003).</summary>
public sealed record AdamWOptions
{
    /// <summary>Initial learning rate (ReduceLROnPlateau lowers it on plateaus).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay, applied to every trainable variable: w −= lr·wd·w.</summary>
    public double WeightDecay { get; init; } = 0.003;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-7;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        OptionException.Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), $"The learning rate must be a positive number, but got {LearningRate}.");
        OptionException.Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), $"The weight decay must be zero or positive, but got {WeightDecay}.");
        OptionException.Require(Beta1 >= 0 && Beta1 < 1, nameof(Beta1), $"beta_1 must be in [0, 1), but got {Beta1}.");
        OptionException.Require(Beta2 >= 0 && Beta2 < 1, nameof(Beta2), $"beta_2 must be in [0, 1), but got {Beta2}.");
        OptionException.Require(Epsilon > 0 && double.IsFinite(Epsilon), nameof(Epsilon), $"epsilon must be a positive number, but got {Epsilon}.");
    }
}
