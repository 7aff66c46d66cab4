namespace IlgpuCnn.Kernels;

/// <summary>The three passes of a conv or dense layer.</summary>
public enum KernelPass
{
    /// <summary>y = op(x, w) + b (y written).</summary>
    Forward,

    /// <summary>dx from dy and w (dx written: an activation gradient has one writer).</summary>
    BackwardData,

    /// <summary>dw += Σ dy ⊗ x and db += Σ dy (parameter gradients accumulate).</summary>
    BackwardWeights,
}
