using IlgpuCnn.Device;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>A whole training run: the recipe's options per concern, the device, and where outputs go.</summary>
public sealed record RunOptions
{
    public TrainingOptions Training { get; init; } = new();

    public CallbackOptions Callbacks { get; init; } = new();

    public DataOptions Data { get; init; } = new();

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Run folder (null: runs/&lt;UTC timestamp&gt;).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>A checkpoint.safetensors to continue.</summary>
    public string? Resume { get; init; }

    /// <summary>--max-minutes: stop after the epoch in which this many minutes of the run have passed (null: no cap).</summary>
    public double? MaxMinutes { get; init; }

    /// <summary>--overwrite: replace an earlier run in <see cref="OutputDirectory"/> (otherwise refused).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Validates every part once (<see cref="OptionException"/>).</summary>
    public void Validate()
    {
        Training.Validate();
        Callbacks.Validate();
        Data.Validate();
    }
}
