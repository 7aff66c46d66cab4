namespace IlgpuCnn.Kernels;

/// <summary>
/// Which implementation an op launches. <see cref="Tiled"/>: shared-memory tiles and barriers,
/// built for a GPU. <see cref="Simple"/>: no barriers, each thread owning a whole output row or
/// plane, built for the CPU accelerator (where barriers cost milliseconds). <see cref="Auto"/>
/// picks Tiled on CUDA and Simple on the CPU.
/// </summary>
public enum KernelVariant
{
    Auto,
    Simple,
    Tiled,
}
