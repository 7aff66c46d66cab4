using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>How <see cref="Trainer.Fit"/> ended.</summary>
/// <param name="History">every epoch's metrics</param>
/// <param name="EpochsRun">epochs completed (1-based count)</param>
/// <param name="BestEpoch">1-based epoch whose weights were restored (0: none restored)</param>
/// <param name="Interrupted">stopped by Ctrl+C before the last epoch ended</param>
/// <param name="SecondsPerEpoch">mean wall time of the epochs run in this call</param>
public sealed record FitResult(History History, int EpochsRun, int BestEpoch, bool Interrupted, double SecondsPerEpoch);
