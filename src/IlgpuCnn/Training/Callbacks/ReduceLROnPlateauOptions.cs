namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Keras' <c>ReduceLROnPlateau</c> arguments with Keras' defaults; <see cref="Recipe"/> holds the
/// tutorial's values (factor 0.5, patience 5, min_lr 1e-5).
/// </summary>
/// <param name="Monitor">Metric name in <see cref="EpochLogs"/>.</param>
/// <param name="Factor">New rate = old rate × factor; must be below 1.</param>
/// <param name="Patience">Epochs without improvement after which the rate is reduced.</param>
/// <param name="Mode">Whether the metric should go down or up.</param>
/// <param name="MinDelta">In min mode an epoch improves when <c>current &lt; best - min_delta</c>.</param>
/// <param name="Cooldown">Epochs after a reduction during which the wait counter stays at 0.</param>
/// <param name="MinLearningRate">Lower bound on the learning rate.</param>
public sealed record ReduceLROnPlateauOptions(
    string Monitor = EpochLogs.ValLoss,
    double Factor = 0.1,
    int Patience = 10,
    MonitorMode Mode = MonitorMode.Auto,
    double MinDelta = 1e-4,
    int Cooldown = 0,
    double MinLearningRate = 0.0)
{
    /// <summary>The tutorial's ReduceLROnPlateau: val_loss, factor 0.5, patience 5, min_lr 1e-5, min_delta 1e-4, cooldown 0.</summary>
    public static ReduceLROnPlateauOptions Recipe { get; } = new(Factor: 0.5, Patience: 5, MinLearningRate: 1e-5);
}
