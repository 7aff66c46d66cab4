using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tensors;

/// <summary>Basic element-wise tensor kernels (fill), loaded once per device.</summary>
public sealed class TensorKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, ArrayView<float>, float> _fill;

    private TensorKernels(ComputeDevice device)
    {
        _device = device;
        _fill = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, float>(FillKernel);
    }

    public static TensorKernels For(ComputeDevice device) => device.Kernels(d => new TensorKernels(d));

    /// <summary>x[i] = value.</summary>
    public void Fill(ArrayView<float> x, float value)
    {
        int threads = Launch.Threads(_device, x.Length);
        _fill(threads, threads, x, value);
    }

    [Kernel]
    internal static void FillKernel(Index1D index, int threads, ArrayView<float> x, float value)
    {
        for (long i = index.X; i < x.Length; i += threads)
        {
            x[i] = value;
        }
    }
}
