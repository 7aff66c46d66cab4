using IlgpuCnn.Device;

namespace IlgpuCnn.Benchmarks;

/// <summary>
/// The accelerator the benchmarks run on: CUDA when present, else the CPU accelerator (GPU-shaped,
/// so the tiled variants can run too). Shapes are small on the CPU: it is a simulator.
/// </summary>
public static class BenchDevice
{
    private static readonly Lazy<bool> Cuda = new(() => Open() is var d && DisposeAndTell(d));

    /// <summary>Whether the benchmarks run on CUDA (decides the shapes).</summary>
    public static bool IsCuda => Cuda.Value;

    private static bool DisposeAndTell(ComputeDevice d)
    {
        bool cuda = d.IsCuda;
        d.Dispose();
        return cuda;
    }

    public static ComputeDevice Open()
    {
        var kind = Environment.GetEnvironmentVariable("ILGPUCNN_BENCH_DEVICE") is { Length: > 0 } s ? Enum.Parse<DeviceKind>(s, ignoreCase: true) : DeviceKind.Auto;
        var device = ComputeDevice.Create(kind);
        if (device.IsCuda)
        {
            return device;
        }

        device.Dispose();
        return ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true);
    }

    public static float[] Random(long n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (long i = 0; i < n; i++)
        {
            a[i] = (float)(r.NextDouble() * 2 - 1);
        }

        return a;
    }
}
