using IlgpuCnn.Device;

namespace IlgpuCnn.Training;

/// <summary>Every option of the recipe; the defaults are the tutorial's values.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 100;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    public double WeightDecay { get; init; } = 0.003;

    public double ValidationSplit { get; init; } = 0.2;

    public uint Seed { get; init; }

    /// <summary>Multiplies every filter/unit count (quick runs).</summary>
    public double Width { get; init; } = 1.0;

    /// <summary>Use only the first N training rows (before the validation split).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test rows.</summary>
    public int? TestLimit { get; init; }

    public bool Augment { get; init; } = true;

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Throws a <see cref="UserError"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new UserError($"--epochs must be at least 1, but got {Epochs}.");
        }

        if (BatchSize < 1 || BatchSize > 4096)
        {
            throw new UserError($"--batch-size must be between 1 and 4096, but got {BatchSize}.");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new UserError($"--lr must be a positive number, but got {LearningRate}.");
        }

        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            throw new UserError($"--weight-decay must be zero or positive, but got {WeightDecay}.");
        }

        if (!(ValidationSplit > 0 && ValidationSplit < 1))
        {
            throw new UserError($"--validation-split must be between 0 and 1 (exclusive), but got {ValidationSplit}.");
        }

        if (!(Width > 0 && Width <= 16))
        {
            throw new UserError($"--width must be in (0, 16], but got {Width}.");
        }

        if (TrainLimit is < 2)
        {
            throw new UserError($"--train-limit must be at least 2 (one training and one validation row), but got {TrainLimit}.");
        }

        if (TestLimit is < 1)
        {
            throw new UserError($"--test-limit must be at least 1, but got {TestLimit}.");
        }
    }
}
