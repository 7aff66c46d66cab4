using IlgpuCnn.Device;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// One comparison of <see cref="SelfTest"/>: the same work, from the same random inputs (drawn
/// from a seed), run on the device under test with a GPU's kernel plan and on the reference (the
/// CPU accelerator, whose plan is the Simple bodies); every output (forward values and gradients)
/// is then compared by relative error. Subclasses hold the shapes (small and odd) and do the work.
/// </summary>
public abstract class SelfTestCheck
{
    protected SelfTestCheck(string kernel) => Kernel = kernel;

    /// <summary>The op and its shape, e.g. "conv2d 16→24" (each output adds its own name, e.g. "backward-data").</summary>
    public string Kernel { get; }

    /// <summary>Largest allowed <see cref="SelfTest.RelativeError"/> (the tests' 1e-4 unless an op says otherwise).</summary>
    public virtual double Tolerance => 1e-4;

    /// <summary>Runs on <paramref name="device"/>, conv and dense passes by the kernel plan for <paramref name="planFor"/>, inputs from <paramref name="seed"/>; returns the named outputs in a fixed order.</summary>
    public abstract IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed);

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

/// <summary>One named output of a check, downloaded to the host, with the plan body that computed it ("-" for ops with one implementation).</summary>
public sealed record CheckOutput(string Name, float[] Values, string Body = "-");
