namespace IlgpuCnn.Kernels;

/// <summary>
/// Which implementation an op launches. <see cref="Blocked"/>: the register-blocked GEMM
/// (<see cref="BlockedGemm"/>: 8×4 outputs per thread, 16-byte shared loads, division-free
/// operand cursors, register double buffer), built for CUDA. <see cref="Tiled"/>: the first
/// shared-memory GEMM (<see cref="TiledGemm"/>, 4×4 per thread), kept as a reference and for
/// conv backward-data at stride ≠ 1. <see cref="Simple"/>: no barriers, each thread owning a whole
/// output row or plane, built for the CPU accelerator (where barriers cost milliseconds).
/// <see cref="Auto"/> picks Blocked on CUDA and Simple on the CPU.
/// </summary>
public enum KernelVariant
{
    Auto,
    Simple,
    Tiled,
    Blocked,
}
