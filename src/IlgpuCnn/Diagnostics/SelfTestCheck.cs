using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// One comparison of <see cref="SelfTest"/>: the same work, from the same random inputs (drawn
/// from a seed), run on the device under test with <see cref="Variant"/> and on the reference
/// (the CPU accelerator's simple kernels); every output (forward values and gradients) is then
/// compared by relative error. Subclasses hold the shapes (small and odd) and do the work.
/// </summary>
public abstract class SelfTestCheck
{
    protected SelfTestCheck(string kernel, KernelVariant variant)
    {
        Kernel = kernel;
        Variant = variant;
    }

    /// <summary>The op, e.g. "conv2d" (each output adds its own name, e.g. "backward-data").</summary>
    public string Kernel { get; }

    /// <summary>The variant run on the device under test; <see cref="KernelVariant.Auto"/> for ops with one implementation.</summary>
    public KernelVariant Variant { get; }

    /// <summary>Largest allowed <see cref="SelfTest.RelativeError"/> (the tests' 1e-4 unless an op says otherwise).</summary>
    public virtual double Tolerance => 1e-4;

    /// <summary>Runs on <paramref name="device"/> with <paramref name="variant"/>, inputs from <paramref name="seed"/>; returns the named outputs in a fixed order.</summary>
    public abstract IReadOnlyList<CheckOutput> Run(ComputeDevice device, KernelVariant variant, int seed);

    /// <summary>Uniform values in [lo, hi), never exactly zero.</summary>
    protected static float[] Floats(Random rng, long count, float lo = -1f, float hi = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            float v;
            do
            {
                v = lo + ((hi - lo) * rng.NextSingle());
            }
            while (v == 0f);
            values[i] = v;
        }

        return values;
    }

    /// <summary>Integers in [0, max).</summary>
    protected static int[] Ints(Random rng, int count, int max) => Enumerable.Range(0, count).Select(_ => rng.Next(max)).ToArray();
}

/// <summary>One named output of a check, downloaded to the host.</summary>
public sealed record CheckOutput(string Name, float[] Values);
