using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The buffers of one batch-norm layer that its kernels read and write (see <see cref="BatchNormKernels"/>);
/// each kernel uses the ones its pass needs. Activations are (N, C, H, W), the rest (C) unless noted.
/// </summary>
public readonly struct BatchNormBuffers
{
    /// <summary>x (N, C, H, W).</summary>
    public ArrayView<float> X { get; init; }

    /// <summary>y (N, C, H, W), written by the forward pass (read by backward to mask dy when ReLU is fused).</summary>
    public ArrayView<float> Y { get; init; }

    public ArrayView<float> Gamma { get; init; }

    public ArrayView<float> Beta { get; init; }

    /// <summary>The statistics the forward pass used (batch or moving), saved for backward.</summary>
    public ArrayView<float> Mean { get; init; }

    /// <summary>1/√(var + ε) of those statistics.</summary>
    public ArrayView<float> InvStd { get; init; }

    public ArrayView<float> MovingMean { get; init; }

    public ArrayView<float> MovingVar { get; init; }

    /// <summary>dy (N, C, H, W).</summary>
    public ArrayView<float> Dy { get; init; }

    /// <summary>dx (N, C, H, W), overwritten (=); empty when x needs no gradient.</summary>
    public ArrayView<float> Dx { get; init; }

    /// <summary>dγ, accumulated (+=).</summary>
    public ArrayView<float> DGamma { get; init; }

    /// <summary>dβ, accumulated (+=).</summary>
    public ArrayView<float> DBeta { get; init; }

    /// <summary>Backward scratch (2C): Σdy per channel, then Σdy·x̂.</summary>
    public ArrayView<float> Sums { get; init; }
}
