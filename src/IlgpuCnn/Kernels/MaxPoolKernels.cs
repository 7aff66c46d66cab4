using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Max pooling 2×2, stride 2 ("valid": OH = H/2, OW = W/2, a trailing odd row/column is dropped).
//   x (N, C, H, W)    y (N, C, OH, OW)    argmax (N, C, OH, OW): 0..3 = which of the window
// forward:  y = max of the window; argmax = the first position holding it (row-major), as TF does
// backward: dx[argmax] = dy, the window's other 3 inputs 0 (windows do not overlap: no races; an odd last row/column is zeroed by the layer)
// Fused dropout (rate > 0): the pooled value is kept with DropoutKernels' mask for (key, output
// index) and scaled by 1/(1 − rate) — exactly Dropout applied to the pooled tensor, in the same pass.

/// <summary>The 2×2 max-pool kernels of one device, loaded once.</summary>
public sealed class MaxPoolKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, PoolDims, uint, float, ArrayView<float>, ArrayView<float>, ArrayView<int>> _forward;
    private readonly Action<Index1D, PoolDims, uint, float, ArrayView<float>, ArrayView<int>, ArrayView<float>> _backward;

    private MaxPoolKernels(ComputeDevice device)
    {
        _device = device;
        _forward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, PoolDims, uint, float, ArrayView<float>, ArrayView<float>, ArrayView<int>>(ForwardKernel);
        _backward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, PoolDims, uint, float, ArrayView<float>, ArrayView<int>, ArrayView<float>>(BackwardKernel);
    }

    public static MaxPoolKernels For(ComputeDevice device) => device.Kernels(d => new MaxPoolKernels(d));

    /// <summary>y = pool(x) (then dropout with <paramref name="key"/> when <paramref name="rate"/> &gt; 0).</summary>
    public void Forward(int nc, int h, int w, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax, uint key = 0, float rate = 0f)
    {
        var d = new PoolDims(nc, h, w, 0);
        int threads = Launch.Threads(_device, d.OutLength);
        _forward(threads, d.WithThreads(threads), key, rate, x, y, argmax);
    }

    /// <summary>dx[argmax] = dy, 0 at the window's other inputs (through the same dropout mask when <paramref name="rate"/> &gt; 0).</summary>
    public void Backward(int nc, int h, int w, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx, uint key = 0, float rate = 0f)
    {
        var d = new PoolDims(nc, h, w, 0);
        int threads = Launch.Threads(_device, d.OutLength);
        _backward(threads, d.WithThreads(threads), key, rate, dy, argmax, dx);
    }

    [Kernel]
    internal static void ForwardKernel(Index1D index, PoolDims d, uint key, float rate, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax)
    {
        float scale = 1f / (1f - rate);
        for (long o = index.X; o < d.OutLength; o += d.Threads)
        {
            long first = d.FirstInput(o);
            float best = x[first];
            int arg = 0;
            float v1 = x[first + 1];
            if (v1 > best)
            {
                best = v1;
                arg = 1;
            }

            float v2 = x[first + d.W];
            if (v2 > best)
            {
                best = v2;
                arg = 2;
            }

            float v3 = x[first + d.W + 1];
            if (v3 > best)
            {
                best = v3;
                arg = 3;
            }

            y[o] = rate <= 0f ? best : DropoutKernels.Keep(key, o, rate) ? best * scale : 0f;
            argmax[o] = arg;
        }
    }

    [Kernel]
    internal static void BackwardKernel(Index1D index, PoolDims d, uint key, float rate, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx)
    {
        float scale = 1f / (1f - rate);
        for (long o = index.X; o < d.OutLength; o += d.Threads)
        {
            float g = rate <= 0f ? dy[o] : DropoutKernels.Keep(key, o, rate) ? dy[o] * scale : 0f;
            int a = argmax[o];
            long i = d.FirstInput(o);
            dx[i] = a == 0 ? g : 0f;
            dx[i + 1] = a == 1 ? g : 0f;
            dx[i + d.W] = a == 2 ? g : 0f;
            dx[i + d.W + 1] = a == 3 ? g : 0f;
        }
    }
}
