using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// AdamW over ALL trainable parameters in one launch (they live in one flat buffer), as Keras 3:
//   w −= lr·wd·w                                  (decoupled decay, before the Adam step)
//   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//   w −= α · m / (√v + ε),  α = lr·√(1−β2ᵗ)/(1−β1ᵗ)   (Keras' ε placement: outside the root, unscaled)
// t is the 1-based step; α is computed on the host in double and passed in.

/// <summary>The AdamW kernel of one device, loaded once.</summary>
public sealed class AdamWKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, AdamWStep, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _step;

    private AdamWKernels(ComputeDevice device)
    {
        _device = device;
        _step = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, AdamWStep, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(StepKernel);
    }

    public static AdamWKernels For(ComputeDevice device) => device.Kernels(d => new AdamWKernels(d));

    /// <summary>One update of every parameter: w, m, v in place.</summary>
    public void Step(AdamWStep s, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        int threads = Launch.Threads(_device, w.Length);
        _step(threads, threads, s, w, g, m, v);
    }

    [Kernel]
    internal static void StepKernel(Index1D index, int threads, AdamWStep s, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        for (long i = index.X; i < w.Length; i += threads)
        {
            float grad = g[i];
            float wi = w[i] - (w[i] * s.DecayRate);
            float mi = m[i] + ((grad - m[i]) * (1f - s.Beta1));
            float vi = v[i] + ((grad * grad - v[i]) * (1f - s.Beta2));
            m[i] = mi;
            v[i] = vi;
            w[i] = wi - (mi * s.Alpha / (XMath.Sqrt(vi) + s.Epsilon));
        }
    }
}

/// <summary>The scalars of one AdamW step (host-computed).</summary>
public readonly struct AdamWStep
{
    public AdamWStep(double lr, double weightDecay, double beta1, double beta2, double epsilon, long t)
    {
        DecayRate = (float)(lr * weightDecay);
        Alpha = (float)(lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t)));
        Beta1 = (float)beta1;
        Beta2 = (float)beta2;
        Epsilon = (float)epsilon;
    }

    /// <summary>lr·wd.</summary>
    public readonly float DecayRate;

    /// <summary>lr·√(1−β2ᵗ)/(1−β1ᵗ).</summary>
    public readonly float Alpha;
    public readonly float Beta1;
    public readonly float Beta2;
    public readonly float Epsilon;
}
