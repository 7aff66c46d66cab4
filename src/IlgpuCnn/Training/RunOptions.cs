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

    /// <summary>--overwrite: replace an earlier run in <see cref="OutputDirectory"/> (otherwise refused).</summary>
    public bool Overwrite { get; init; }
}
