using System.Globalization;

namespace IlgpuCnn.Training;

/// <summary>
/// The loss became NaN or infinite (Keras' <c>TerminateOnNaN</c>): thrown by <see cref="Trainer.Fit"/>
/// with the epoch and step (both 1-based) where it was first seen. The weights are no longer
/// usable; the last checkpoint written before it is.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(string what, int epoch, int? step, double value)
        : base(step is int s
            ? $"The {what} became {Describe(value)} at epoch {epoch}, step {s}, so the run stopped: it diverged; lower --lr or --weight-decay."
            : $"The {what} became {Describe(value)} in epoch {epoch}, so the run stopped: it diverged; lower --lr or --weight-decay.")
    {
        What = what;
        Epoch = epoch;
        Step = step;
        Value = value;
    }

    /// <summary>"training loss" or "validation loss".</summary>
    public string What { get; }

    /// <summary>The epoch (1-based) in which the non-finite value appeared.</summary>
    public int Epoch { get; }

    /// <summary>The step (1-based, within <see cref="Epoch"/>) whose loss was first non-finite; null for the validation loss.</summary>
    public int? Step { get; }

    public double Value { get; }

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value.ToString(CultureInfo.InvariantCulture).Replace("∞", "infinite", StringComparison.Ordinal);
}
