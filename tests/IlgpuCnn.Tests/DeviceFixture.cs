using IlgpuCnn.Device;

namespace IlgpuCnn.Tests;

/// <summary>
/// One accelerator shared by every test that uses the device (launches on one accelerator are
/// serialised anyway). <c>ILGPUCNN_TEST_DEVICE=cuda</c> points the tests at a CUDA GPU; the
/// default is the CPU accelerator. <see cref="GpuShaped"/> is a CPU accelerator that accepts
/// GPU-shaped groups (for the GEMM bodies of a GPU's plan), or the same device where kernels are compiled (CUDA, OpenCL).
/// </summary>
public class DeviceFixture : IDisposable
{
    private readonly Lazy<ComputeDevice> _gpuShaped;

    public DeviceFixture()
        : this(TestKind(), ComputeDevice.Create)
    {
    }

    /// <summary>A fixture on the device <paramref name="open"/> returns for <paramref name="kind"/>.</summary>
    protected DeviceFixture(DeviceKind kind, Func<DeviceKind, bool, ComputeDevice> open)
    {
        Kind = kind;
        Device = open(kind, false);
        _gpuShaped = new Lazy<ComputeDevice>(() => Device.RunsGpuBodies ? Device : ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true));
    }

    public DeviceKind Kind { get; }

    /// <summary>The device the product would use: CPU accelerator (default shape), CUDA or OpenCL.</summary>
    public ComputeDevice Device { get; }

    /// <summary>A device on which GPU-shaped (grouped, up to 1,024-thread) kernels can run.</summary>
    public ComputeDevice GpuShaped => _gpuShaped.Value;

    /// <summary>The kernel plan <see cref="GpuShaped"/> runs in the tests: the GPU's own (on an OpenCL CPU device, without its Simple choices, so the GEMM bodies run where a GPU's would), or an H100's on the CPU accelerator.</summary>
    public DeviceFigures GpuPlan => GpuShaped.Figures.IsGpu ? GpuShaped.Figures.AsGpu : DeviceFigures.H100;

    /// <summary>The device and plan of a test: the product's device and plan (<paramref name="gpu"/> false), or the GPU-shaped device with a GPU's plan.</summary>
    public (ComputeDevice Device, DeviceFigures Plan) On(bool gpu) => gpu ? (GpuShaped, GpuPlan) : (Device, Device.Figures.IsGpu ? DeviceFigures.Cpu : Device.Figures);

    private static DeviceKind TestKind()
    {
        var wanted = Environment.GetEnvironmentVariable("ILGPUCNN_TEST_DEVICE");
        return string.IsNullOrEmpty(wanted) ? DeviceKind.Cpu : Enum.Parse<DeviceKind>(wanted, ignoreCase: true);
    }

    public void Dispose()
    {
        if (_gpuShaped.IsValueCreated && !ReferenceEquals(_gpuShaped.Value, Device))
        {
            _gpuShaped.Value.Dispose();
        }

        Device.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>All device tests share one <see cref="DeviceFixture"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<DeviceFixture>
{
    public const string Name = "device";
}
