using System.Text.Json.Serialization;

namespace IlgpuCnn.Device;

/// <summary>
/// Which accelerator to run on: Auto (CUDA, else an OpenCL GPU, else an OpenCL CPU device such as
/// PoCL, else the ILGPU CPU accelerator), CUDA only, OpenCL only, or the ILGPU CPU accelerator.
/// </summary>
public enum DeviceKind
{
    Auto,
    Cuda,
    Cpu,
    [JsonStringEnumMemberName("opencl")]
    OpenCL,
}
