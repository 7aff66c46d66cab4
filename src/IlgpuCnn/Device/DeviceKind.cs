namespace IlgpuCnn.Device;

/// <summary>Which accelerator to run on: CUDA when present (auto), CUDA only, or the ILGPU CPU accelerator.</summary>
public enum DeviceKind
{
    Auto,
    Cuda,
    Cpu,
}
