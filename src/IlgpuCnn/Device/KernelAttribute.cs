using System.Reflection;
using ILGPU.Runtime;

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

    /// <summary>
    /// Groups of <see cref="GroupSize"/> threads the kernel must fit on one multiprocessor (0: no
    /// demand). Loaded (and compiled for the assembler tests and the static profile) with ILGPU's
    /// <see cref="KernelSpecialization"/>, PTX's <c>.maxntid</c> and <c>.minnctapersm</c>: ptxas then
    /// keeps the registers within 65,536 / (threads × groups), as CUDA C's launch bounds do.
    /// </summary>
    public int MinGroupsPerMultiprocessor { get; init; }

    /// <summary>The specialization a kernel is loaded and compiled with: its attribute's group size and <see cref="MinGroupsPerMultiprocessor"/>, or none.</summary>
    public static KernelSpecialization SpecializationOf(MethodInfo kernel) =>
        kernel.GetCustomAttribute<KernelAttribute>() is { MinGroupsPerMultiprocessor: > 0 } k
            ? new KernelSpecialization(k.GroupSize, k.MinGroupsPerMultiprocessor)
            : KernelSpecialization.Empty;

    /// <inheritdoc cref="SpecializationOf(MethodInfo)"/>
    public static KernelSpecialization SpecializationOf(Delegate kernel) => SpecializationOf(kernel.Method);
}
