using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tensors;

/// <summary>Basic element-wise tensor kernels (fill, copy), loaded once per device.</summary>
public sealed class TensorKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, ArrayView<float>, float> _fill;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>> _copy;

    private TensorKernels(ComputeDevice device)
    {
        _device = device;
        _fill = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, float>(FillKernel);
        _copy = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(CopyKernel);
    }

    public static TensorKernels For(ComputeDevice device) => device.Kernels(d => new TensorKernels(d));

    /// <summary>x[i] = value.</summary>
    public void Fill(ArrayView<float> x, float value)
    {
        int threads = Launch.Threads(_device, x.Length);
        _fill(threads, threads, x, value);
    }

    /// <summary>dst[i] = src[i] (same length).</summary>
    public void Copy(ArrayView<float> src, ArrayView<float> dst)
    {
        int threads = Launch.Threads(_device, src.Length);
        _copy(threads, threads, src, dst);
    }

    [Kernel]
    internal static void FillKernel(Index1D index, int threads, ArrayView<float> x, float value)
    {
        for (long i = index.X; i < x.Length; i += threads)
        {
            x[i] = value;
        }
    }

    [Kernel]
    internal static void CopyKernel(Index1D index, int threads, ArrayView<float> src, ArrayView<float> dst)
    {
        for (long i = index.X; i < src.Length; i += threads)
        {
            dst[i] = src[i];
        }
    }
}
