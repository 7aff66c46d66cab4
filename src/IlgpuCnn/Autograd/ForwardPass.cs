namespace IlgpuCnn.Autograd;

/// <summary>
/// What one forward pass is: training (batch statistics in batch norm, dropout active, ops
/// recorded for backward) or inference, and the seed and global step that key dropout's random numbers.
/// </summary>
/// <param name="IsTraining">Training mode.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Step">The global step of this pass (the optimizer's iteration count).</param>
public readonly record struct ForwardPass(bool IsTraining, uint Seed, long Step)
{
    /// <summary>Inference: moving statistics, no dropout, nothing recorded.</summary>
    public static ForwardPass Inference => default;

    public static ForwardPass Training(uint seed, long step) => new(true, seed, step);
}
