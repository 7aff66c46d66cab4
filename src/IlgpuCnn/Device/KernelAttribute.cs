namespace IlgpuCnn.Device;

/// <summary>
/// Marks a static method as an ILGPU kernel. The PTX test finds every marked method by
/// reflection and compiles it for sm_80 (and fails on any kernel-shaped method left unmarked).
/// <see cref="Grouped"/> kernels are launched with an explicit <c>KernelConfig</c>
/// (shared memory, barriers); the others are implicitly grouped with an index parameter first.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class KernelAttribute : Attribute
{
    public bool Grouped { get; init; }

    /// <summary>
    /// Threads per group the code launches a <see cref="Grouped"/> kernel with on a GPU (the
    /// assembler test checks registers × threads and shared memory against the architecture's
    /// limits); 0 for implicitly grouped kernels, whose group size ILGPU chooses.
    /// </summary>
    public int GroupSize { get; init; }
}
