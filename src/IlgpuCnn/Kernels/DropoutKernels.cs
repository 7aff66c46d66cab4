using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Inverted dropout, element-wise. keep(i) = U(key, i) ≥ rate with U the counter-based uniform of
// CounterRng and key = Hash(seed, layer, step): no mask is stored, backward draws the same one,
// and the CPU accelerator and a GPU drop the same elements.
// forward:  y = keep ? x / (1 − rate) : 0
// backward: dx = keep ? dy / (1 − rate) : 0

/// <summary>The dropout kernels of one device, loaded once.</summary>
public sealed class DropoutKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, uint, float, ArrayView<float>, ArrayView<float>> _forward;
    private readonly Action<Index1D, int, uint, float, ArrayView<float>, ArrayView<float>> _backward;

    private DropoutKernels(ComputeDevice device)
    {
        _device = device;
        _forward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, uint, float, ArrayView<float>, ArrayView<float>>(ForwardKernel);
        _backward = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, uint, float, ArrayView<float>, ArrayView<float>>(BackwardKernel);
    }

    public static DropoutKernels For(ComputeDevice device) => device.Kernels(d => new DropoutKernels(d));

    /// <summary>Throws unless <paramref name="rate"/> is in [0, 1) (the check of every layer that drops).</summary>
    public static void CheckRate(string layer, float rate)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentException($"{layer}: dropout rate must be in [0, 1), but got {rate}");
        }
    }

    /// <summary>The per-(seed, layer, step) key of the mask.</summary>
    public static uint MaskKey(uint seed, int layer, long step) => CounterRng.Hash(seed, CounterRng.StreamDropout + (uint)layer, (uint)step);

    /// <summary>Whether element i is kept (the mask as the kernels draw it; for tests).</summary>
    public static bool Keep(uint key, long i, float rate) => CounterRng.Uniform(key, CounterRng.StreamDropout, (uint)i) >= rate;

    public void Forward(uint key, float rate, ArrayView<float> x, ArrayView<float> y)
    {
        int threads = Launch.Threads(_device, x.Length);
        _forward(threads, threads, key, rate, x, y);
    }

    public void Backward(uint key, float rate, ArrayView<float> dy, ArrayView<float> dx)
    {
        int threads = Launch.Threads(_device, dy.Length);
        _backward(threads, threads, key, rate, dy, dx);
    }

    [Kernel]
    internal static void ForwardKernel(Index1D index, int threads, uint key, float rate, ArrayView<float> x, ArrayView<float> y)
    {
        float scale = 1f / (1f - rate);
        for (long i = index.X; i < x.Length; i += threads)
        {
            y[i] = Keep(key, i, rate) ? x[i] * scale : 0f;
        }
    }

    [Kernel]
    internal static void BackwardKernel(Index1D index, int threads, uint key, float rate, ArrayView<float> dy, ArrayView<float> dx)
    {
        float scale = 1f / (1f - rate);
        for (long i = index.X; i < dy.Length; i += threads)
        {
            dx[i] = Keep(key, i, rate) ? dy[i] * scale : 0f;
        }
    }
}
