namespace IlgpuCnn.Kernels;

/// <summary>
/// The bodies a conv or dense pass can run (the one vocabulary of <see cref="KernelPlanner"/>,
/// the kernels' names, <c>bench</c>, the self-test and the static profile).
/// </summary>
public enum KernelBody
{
    /// <summary>No barriers, one thread owning whole output planes or rows, registers only: every pass on the CPU accelerator; on a GPU, conv backward-data at stride ≠ 1.</summary>
    Simple,

    /// <summary><see cref="BlockedGemm"/>: 64×64 tiles, 128 threads, an 8×4 register block, <see cref="IKCursor"/> operands stepping one k at a time: the conv passes whose run dimension is not a multiple of 8.</summary>
    Cursor,

    /// <summary><see cref="SmallGemm"/>: 32×32 tiles, 256 threads, a 4×1 register block, <see cref="DenseOperand"/>s staged coalesced and without branches, K split until the device is full and summed in the kernel: the dense passes.</summary>
    Small,

    /// <summary><see cref="RunGemm.Run"/>: the Cursor's tile and register block, each thread staging runs of 8 k through <see cref="IKRun"/> operands: conv passes whose run dimension is a multiple of 8 and whose GEMM is wider than 32.</summary>
    Run64,

    /// <summary><see cref="RunGemm.RunNarrow"/>: 64×32 tiles, 64 threads, runs of 8 k: conv forward and backward-data GEMMs at most 32 wide (the 32-channel layers).</summary>
    Run32,

    /// <summary><see cref="RunGemm.RunShort"/>: 32×64 tiles, 64 threads, runs of 8 k, A staged along k: conv backward-weights GEMMs at most 32 tall (the weight gradients of layers with at most 32 output channels) on a GPU.</summary>
    RunShort,

    /// <summary><see cref="SimdConv"/>: no barriers or shared memory, each work-item a register block of 8 (or 4) pixels × 16 channels (or 9 taps × 16 output channels) that a CPU compiler turns into 16-wide vector code: 3×3 stride-1 conv passes whose channels come in sixteens, on an OpenCL device made of CPU cores (PoCL).</summary>
    Simd,

    /// <summary><see cref="DirectConv"/>: no GEMM; a 16×32-pixel tile's input window staged in shared memory, each thread 4 pixels × 8 output channels over the whole of a short K: conv forward with K = Ci·KH·KW ≤ 64 whose input channels do not come in runs of 8 (the recipe's first layer) on a GPU.</summary>
    Direct,
}
