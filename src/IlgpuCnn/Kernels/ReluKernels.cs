using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// ReLU, element-wise over any shape.
// forward:  y = max(x, 0)
// backward: dx = y > 0 ? dy : 0   (reads the output, so x need not be kept)

/// <summary>The ReLU kernels of one device, loaded once.</summary>
public sealed class ReluKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>> _forward;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backward;

    private ReluKernels(ComputeDevice device)
    {
        _device = device;
        _forward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(ForwardKernel);
        _backward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardKernel);
    }

    public static ReluKernels For(ComputeDevice device) => device.Kernels(d => new ReluKernels(d));

    public void Forward(ArrayView<float> x, ArrayView<float> y)
    {
        int threads = Launch.Threads(_device, x.Length);
        _forward(threads, threads, x, y);
    }

    public void Backward(ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        int threads = Launch.Threads(_device, y.Length);
        _backward(threads, threads, y, dy, dx);
    }

    [Kernel]
    internal static void ForwardKernel(Index1D index, int threads, ArrayView<float> x, ArrayView<float> y)
    {
        for (long i = index.X; i < x.Length; i += threads)
        {
            float v = x[i];
            y[i] = v > 0f ? v : 0f;
        }
    }

    [Kernel]
    internal static void BackwardKernel(Index1D index, int threads, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        for (long i = index.X; i < y.Length; i += threads)
        {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
