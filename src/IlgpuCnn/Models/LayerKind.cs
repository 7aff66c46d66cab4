namespace IlgpuCnn.Models;

/// <summary>The layer types the model is made of (each a class in the layers folder).</summary>
public enum LayerKind
{
    /// <summary><see cref="Layers.Conv2d"/>, 3×3, "same" padding, stride 1.</summary>
    Conv2d,

    /// <summary><see cref="Layers.BatchNormRelu"/>.</summary>
    BatchNormRelu,

    /// <summary><see cref="Layers.MaxPoolDropout"/>, 2×2 pool.</summary>
    MaxPoolDropout,

    /// <summary><see cref="Layers.GlobalAvgPool"/>.</summary>
    GlobalAvgPool,

    /// <summary><see cref="Layers.Dense"/>.</summary>
    Dense,

    /// <summary><see cref="Layers.Dropout"/>.</summary>
    Dropout,
}
