namespace IlgpuCnn.Training;

/// <summary>A training run as the CLI asks for it: the recipe's options plus where things are.</summary>
public sealed record RunOptions
{
    public TrainingOptions Training { get; init; } = new();

    /// <summary>--data (null: ILGPUCNN_DATA, then the user cache).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>--out (null: runs/&lt;UTC timestamp&gt;).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>--resume: a checkpoint.safetensors to continue.</summary>
    public string? Resume { get; init; }

    /// <summary>--max-minutes: stop after the epoch in which this many minutes of the run have passed (null: no cap).</summary>
    public double? MaxMinutes { get; init; }
}
