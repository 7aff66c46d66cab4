namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// What <see cref="EarlyStopping"/> must remember across a resume (serialisable with System.Text.Json).
/// The best weights themselves travel separately (a tensor in the checkpoint).
/// </summary>
/// <param name="Wait">Epochs counted since the last improvement (Keras' <c>wait</c>).</param>
/// <param name="StoppedEpoch">0-based epoch at which training was stopped, 0 if it was not.</param>
/// <param name="BestEpoch">0-based epoch of the best value (or of the first captured weights).</param>
/// <param name="Best">Best monitored value so far; null before any epoch was monitored.</param>
/// <param name="HasBestWeights">Whether best weights had been captured (they must then be supplied on restore).</param>
public sealed record EarlyStoppingState(int Wait, int StoppedEpoch, int BestEpoch, double? Best, bool HasBestWeights);
