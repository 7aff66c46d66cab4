using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>Resolves <see cref="KernelVariant.Auto"/> for a device (one rule for every op).</summary>
public static class KernelVariantExtensions
{
    /// <summary>The variant to launch on <paramref name="device"/>: Auto is Blocked where the kernels are compiled (CUDA, OpenCL) and Simple on the CPU accelerator.</summary>
    public static KernelVariant On(this KernelVariant variant, ComputeDevice device) =>
        variant != KernelVariant.Auto ? variant : device.RunsGpuBodies ? KernelVariant.Blocked : KernelVariant.Simple;
}
