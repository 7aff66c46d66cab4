using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace IlgpuCnn.Device;

/// <summary>
/// What the kernel plan needs to know of a device, read from its ILGPU accelerator: its type (a
/// GPU — CUDA or OpenCL — runs the GEMM bodies, the CPU accelerator the simple ones), its
/// multiprocessors (split-K fills them), its largest group, its shared memory per group, and
/// whether it is an OpenCL device whose compute units are the host's CPU cores (PoCL):
/// <paramref name="CpuCores"/>. There a GEMM tile's padding costs as much as on a GPU but the
/// Simple bodies are compiled code too, so the plan weighs one against the other.
/// </summary>
public readonly record struct DeviceFigures(AcceleratorType Type, int Multiprocessors, int MaxGroupSize, long SharedMemoryPerGroup, bool CpuCores = false)
{
    /// <summary>An NVIDIA H100 SXM (132 SMs, 1,024 threads and 48 KiB of static shared memory per group): the static profile's device, and the GPU plan the GPU-shaped CPU accelerator runs in tests and the self-test.</summary>
    public static DeviceFigures H100 { get; } = new(AcceleratorType.Cuda, 132, 1024, 48 * 1024);

    /// <summary>A CPU: the plan for it is the Simple bodies, whatever its other figures.</summary>
    public static DeviceFigures Cpu { get; } = new(AcceleratorType.CPU, 1, 1, 0);

    /// <summary>True on a GPU (anything but the CPU accelerator): the plan picks the GEMM bodies.</summary>
    public bool IsGpu => Type != AcceleratorType.CPU;

    /// <summary>These figures as a GPU's: an OpenCL CPU device's plan without its CPU choices, so every pass runs a GEMM body where a GPU's would (the tests and the self-test check those bodies on it).</summary>
    public DeviceFigures AsGpu => this with { CpuCores = false };

    /// <summary>The figures of <paramref name="accelerator"/>.</summary>
    public static DeviceFigures Of(Accelerator accelerator) =>
        new(accelerator.AcceleratorType, accelerator.NumMultiprocessors, accelerator.MaxNumThreadsPerGroup, accelerator.MaxSharedMemoryPerGroup, accelerator is CLAccelerator { Device.DeviceType: CLDeviceType.CL_DEVICE_TYPE_CPU });

    public override string ToString() => $"{Type}{(CpuCores ? " (CPU cores)" : "")}, {Multiprocessors} multiprocessors, groups ≤ {MaxGroupSize} threads, {SharedMemoryPerGroup / 1024} KiB shared";
}
