using System.Globalization;

namespace IlgpuCnn.Training;

/// <summary>How the model is fit: Keras' <c>fit</c> arguments, the optimizer and the model's width. The defaults are the tutorial's recipe.</summary>
public sealed record TrainingOptions
{
    /// <summary>Maximum epochs (EarlyStopping may stop sooner).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Images per training step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Fraction of the training rows held out for validation (the last rows, before shuffling).</summary>
    public double ValidationSplit { get; init; } = 0.2;

    /// <summary>One seed for initialisation, shuffling, augmentation and dropout.</summary>
    public uint Seed { get; init; }

    /// <summary>Multiplies every filter/unit count (1.0 = the tutorial's model; smaller for quick runs).</summary>
    public double Width { get; init; } = 1.0;

    /// <summary>Random flip, rotation and zoom of every training batch.</summary>
    public bool Augment { get; init; } = true;

    public AdamWOptions Optimizer { get; init; } = new();

    public const int MaxBatchSize = 4096;

    /// <summary>The largest width any command accepts (16: about 317 million parameters).</summary>
    public const double MaxWidth = 16;

    /// <summary>Throws an <see cref="OptionException"/> for <see cref="Width"/> when <paramref name="width"/> is not in (0, <see cref="MaxWidth"/>]; the one check of the width every command uses.</summary>
    public static void RequireWidth(double width) =>
        OptionException.Require(width > 0 && width <= MaxWidth, nameof(Width), string.Create(CultureInfo.InvariantCulture, $"The width must be in (0, {MaxWidth}], but got {width}."));

    /// <summary>Throws an <see cref="OptionException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        OptionException.Require(Epochs >= 1, nameof(Epochs), $"The number of epochs must be at least 1, but got {Epochs}.");
        OptionException.Require(BatchSize >= 1 && BatchSize <= MaxBatchSize, nameof(BatchSize), $"The batch size must be between 1 and {MaxBatchSize}, but got {BatchSize}.");
        OptionException.Require(ValidationSplit > 0 && ValidationSplit < 1, nameof(ValidationSplit), $"The validation split must be between 0 and 1 (exclusive), but got {ValidationSplit}.");
        RequireWidth(Width);
        Optimizer.Validate();
    }
}
