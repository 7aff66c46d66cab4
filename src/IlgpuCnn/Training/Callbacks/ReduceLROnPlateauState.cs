namespace IlgpuCnn.Training.Callbacks;

/// <summary>What <see cref="ReduceLROnPlateau"/> must remember across a resume (serialisable with System.Text.Json).</summary>
/// <param name="Wait">Epochs without improvement since the last improvement or reduction.</param>
/// <param name="CooldownCounter">Cooldown epochs still to run.</param>
/// <param name="Best">Best monitored value so far; null before any epoch was monitored.</param>
public sealed record ReduceLROnPlateauState(int Wait, int CooldownCounter, double? Best);
