namespace IlgpuCnn.Tensors;

/// <summary>
/// An NCHW shape. Every activation in the engine is 4D: a dense layer's [N, C] is [N, C, 1, 1],
/// so batch norm, dropout and the loss see one layout everywhere.
/// </summary>
/// <param name="N">batch</param>
/// <param name="C">channels (or features)</param>
/// <param name="H">height</param>
/// <param name="W">width</param>
public readonly record struct Shape(int N, int C, int H, int W)
{
    /// <summary>Number of elements.</summary>
    public long Length => (long)N * C * H * W;

    /// <summary>Elements of one sample (C·H·W).</summary>
    public int SampleLength => C * H * W;

    /// <summary>The same shape with another batch size.</summary>
    public Shape WithBatch(int n) => this with { N = n };

    public override string ToString() => H == 1 && W == 1 ? $"({N}, {C})" : $"({N}, {C}, {H}, {W})";
}
