namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Keras' <c>EarlyStopping</c> arguments with Keras' defaults; <see cref="Recipe"/> holds the
/// tutorial's values (val_loss, patience 10, restore best weights).
/// </summary>
/// <param name="Monitor">Metric name in <see cref="EpochLogs"/>.</param>
/// <param name="MinDelta">An improvement smaller than this (absolute) counts as none.</param>
/// <param name="Patience">Epochs without improvement after which training stops.</param>
/// <param name="Mode">Whether the metric should go down or up.</param>
/// <param name="Baseline">If set, the wait counter only restarts when the metric also beats this value.</param>
/// <param name="RestoreBestWeights">Put back the best epoch's weights when training ends.</param>
/// <param name="StartFromEpoch">Epochs (0-based count) to ignore before monitoring starts.</param>
public sealed record EarlyStoppingOptions(
    string Monitor = EpochLogs.ValLoss,
    double MinDelta = 0,
    int Patience = 0,
    MonitorMode Mode = MonitorMode.Auto,
    double? Baseline = null,
    bool RestoreBestWeights = false,
    int StartFromEpoch = 0)
{
    /// <summary>The tutorial's EarlyStopping: val_loss, min_delta 0, patience 10, restore_best_weights.</summary>
    public static EarlyStoppingOptions Recipe { get; } = new(Patience: 10, RestoreBestWeights: true);
}
