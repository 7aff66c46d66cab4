using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// AdamW over ALL trainable parameters in one launch (they live in one flat buffer), as Keras 3:
//   w −= lr·wd·w                                  (decoupled decay, before the Adam step)
//   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//   w −= α · m / (√v + ε),  α = lr·√(1−β2ᵗ)/(1−β1ᵗ)   (Keras' ε placement: outside the root, unscaled)
// t is the 1-based step; α and 1−β are computed on the host in double and passed in as floats.
// The step consumes the gradient: g = 0 afterwards, so the next backward can accumulate
// without a separate memset of all gradients (one stream operation fewer per step).

/// <summary>The AdamW kernel of one device, loaded once.</summary>
public sealed class AdamWKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, int, AdamWStep, AdamWBuffers> _step;

    private AdamWKernels(ComputeDevice device)
    {
        _device = device;
        _step = device.Figures.CpuCores
            ? device.Accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, int, int, AdamWStep, AdamWBuffers>(StepKernel, 1)
            : device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, AdamWStep, AdamWBuffers>(StepKernel);
    }

    public static AdamWKernels For(ComputeDevice device) => device.Kernels(d => new AdamWKernels(d));

    /// <summary>One update of every parameter: w, m, v in place; g zeroed (consumed).</summary>
    public void Step(AdamWStep s, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        var (threads, chunk) = Launch.Chunks(_device, w.Length);
        _step(threads, threads, chunk, s, new AdamWBuffers(w, g, m, v));
    }

    /// <summary>A grid-stride loop (<paramref name="chunk"/> 0), or one contiguous chunk per thread (<see cref="Launch.Chunks"/>).</summary>
    [Kernel]
    internal static void StepKernel(Index1D index, int threads, int chunk, AdamWStep s, AdamWBuffers p)
    {
        long begin = chunk == 0 ? index.X : (long)index.X * chunk;
        long end = chunk == 0 ? p.W.Length : Math.Min(begin + chunk, p.W.Length);
        long step = chunk == 0 ? threads : 1;
        for (long i = begin; i < end; i += step)
        {
            float grad = p.G[i];
            p.G[i] = 0f;
            float wi = p.W[i] - (p.W[i] * s.DecayRate);
            float mi = p.M[i] + ((grad - p.M[i]) * s.OneMinusBeta1);
            float vi = p.V[i] + ((grad * grad - p.V[i]) * s.OneMinusBeta2);
            p.M[i] = mi;
            p.V[i] = vi;
            p.W[i] = wi - (mi * s.Alpha / (XMath.Sqrt(vi) + s.Epsilon));
        }
    }
}
