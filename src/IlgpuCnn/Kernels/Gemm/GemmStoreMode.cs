namespace IlgpuCnn.Kernels;

/// <summary>How a GEMM output element is stored.</summary>
public enum GemmStoreMode
{
    /// <summary>C = value (+ bias where the output has one).</summary>
    Write,

    /// <summary>C += value (gradients accumulate).</summary>
    Add,

    /// <summary>C += value atomically: several split-K slices add into the same element.</summary>
    AtomicAdd,
}
