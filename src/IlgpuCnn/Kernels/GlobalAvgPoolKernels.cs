using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Global average pooling: x (N, C, H, W) → y (N, C), HW = H·W.
// forward:  y[n,c] = Σ_hw x[n,c,hw] / HW      (one thread per plane)
// backward: dx[n,c,hw] = dy[n,c] / HW

/// <summary>The global-average-pool kernels of one device, loaded once.</summary>
public sealed class GlobalAvgPoolKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>> _forward;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>> _backward;

    private GlobalAvgPoolKernels(ComputeDevice device)
    {
        _device = device;
        _forward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(ForwardKernel);
        _backward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(BackwardKernel);
    }

    public static GlobalAvgPoolKernels For(ComputeDevice device) => device.Kernels(d => new GlobalAvgPoolKernels(d));

    public void Forward(int planes, int hw, ArrayView<float> x, ArrayView<float> y) => _forward(planes, hw, x, y);

    public void Backward(int hw, ArrayView<float> dy, ArrayView<float> dx)
    {
        int threads = Launch.Threads(_device, dx.Length);
        _backward(threads, threads, hw, dy, dx);
    }

    [Kernel]
    internal static void ForwardKernel(Index1D plane, int hw, ArrayView<float> x, ArrayView<float> y)
    {
        long b = (long)plane.X * hw;
        float sum = 0f;
        for (int i = 0; i < hw; i++)
        {
            sum += x[b + i];
        }

        y[plane] = sum / hw;
    }

    [Kernel]
    internal static void BackwardKernel(Index1D index, int threads, int hw, ArrayView<float> dy, ArrayView<float> dx)
    {
        float inv = 1f / hw;
        for (long i = index.X; i < dx.Length; i += threads)
        {
            dx[i] = dy[i / hw] * inv;
        }
    }
}
