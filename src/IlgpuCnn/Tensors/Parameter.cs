namespace IlgpuCnn.Tensors;

/// <summary>How a parameter starts: Keras' defaults for the recipe's layers.</summary>
public enum Init
{
    Zeros,
    Ones,

    /// <summary>Uniform in ±√(6/(fan_in+fan_out)).</summary>
    GlorotUniform,
}

/// <summary>
/// A named model variable inside the <see cref="ParameterStore"/>. Trainable ones live in the
/// flat trainable buffer (with gradient and AdamW moments beside them); non-trainable ones (BN
/// moving statistics) in the state buffer.
/// </summary>
public sealed class Parameter
{
    internal Parameter(string name, int[] dims, bool trainable, Init init, int fanIn, int fanOut)
    {
        Name = name;
        Dims = dims;
        Trainable = trainable;
        InitKind = init;
        FanIn = fanIn;
        FanOut = fanOut;
        Count = dims.Aggregate(1, (a, b) => a * b);
    }

    /// <summary>Checkpoint name, e.g. <c>block1.conv1.kernel</c>.</summary>
    public string Name { get; }

    /// <summary>Logical dimensions (saved in checkpoints), e.g. [Co, Ci, 3, 3] or [in, out].</summary>
    public int[] Dims { get; }

    public bool Trainable { get; }

    public Init InitKind { get; }

    public int FanIn { get; }

    public int FanOut { get; }

    public int Count { get; }

    /// <summary>Offset inside its flat buffer (trainable or state).</summary>
    public long Offset { get; internal set; }

    /// <summary>The value (and, for trainables, gradient) on the device; set by <see cref="ParameterStore.Materialize"/>.</summary>
    public Tensor Tensor { get; internal set; } = null!;
}
