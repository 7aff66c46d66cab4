using ILGPU.Runtime;

namespace IlgpuCnn.Device;

/// <summary>
/// What the kernel plan needs to know of a device, read from its ILGPU accelerator: its type (a
/// GPU — CUDA or OpenCL — runs the GEMM bodies, the CPU accelerator the simple ones), its
/// multiprocessors (split-K fills them), its largest group and its shared memory per group.
/// </summary>
public readonly record struct DeviceFigures(AcceleratorType Type, int Multiprocessors, int MaxGroupSize, long SharedMemoryPerGroup)
{
    /// <summary>An NVIDIA H100 SXM (132 SMs, 1,024 threads and 48 KiB of static shared memory per group): the static profile's device, and the GPU plan the GPU-shaped CPU accelerator runs in tests and the self-test.</summary>
    public static DeviceFigures H100 { get; } = new(AcceleratorType.Cuda, 132, 1024, 48 * 1024);

    /// <summary>A CPU: the plan for it is the Simple bodies, whatever its other figures.</summary>
    public static DeviceFigures Cpu { get; } = new(AcceleratorType.CPU, 1, 1, 0);

    /// <summary>True on a GPU (anything but the CPU accelerator): the plan picks the GEMM bodies.</summary>
    public bool IsGpu => Type != AcceleratorType.CPU;

    /// <summary>The figures of <paramref name="accelerator"/>.</summary>
    public static DeviceFigures Of(Accelerator accelerator) =>
        new(accelerator.AcceleratorType, accelerator.NumMultiprocessors, accelerator.MaxNumThreadsPerGroup, accelerator.MaxSharedMemoryPerGroup);

    public override string ToString() => $"{Type}, {Multiprocessors} multiprocessors, groups ≤ {MaxGroupSize} threads, {SharedMemoryPerGroup / 1024} KiB shared";
}
