namespace IlgpuCnn.Training;

/// <summary>Which CIFAR-10 rows a run reads, and from where.</summary>
public sealed record DataOptions
{
    /// <summary>Folder with the Parquet files (null: $ILGPUCNN_DATA, then the user cache, downloading there).</summary>
    public string? Directory { get; init; }

    /// <summary>Use only the first N training rows (before the validation split).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test rows.</summary>
    public int? TestLimit { get; init; }

    /// <summary>Throws an <see cref="OptionException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        OptionException.Require(TrainLimit is null or >= 2, nameof(TrainLimit), $"The training-row limit must be at least 2 (one training and one validation row), but got {TrainLimit}.");
        OptionException.Require(TestLimit is null or >= 1, nameof(TestLimit), $"The test-row limit must be at least 1, but got {TestLimit}.");
    }
}
