using System.Globalization;
using IlgpuCnn.Device;

namespace IlgpuCnn.Models;

/// <summary>
/// What the network needs in memory at a width and batch size, computed from the layer sizes
/// before anything is allocated, so an absurd <c>--batch-size</c> or <c>--width</c> is refused in
/// one sentence instead of filling the machine. An estimate with margin, not an exact count:
/// parameters ×4 (values, gradients, two AdamW moments) + host copies, and per sample every
/// activation of the four blocks and the head with its gradient.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>Trainable and BN-state values of the network at <paramref name="width"/> (exact).</summary>
    public static long ParameterCount(double width) => VggModel.Layout(width).Sum(l => l.TrainableCount + l.StateCount);

    /// <summary>Activation floats of one sample (values only) through the whole network.</summary>
    public static long ActivationFloatsPerSample(double width)
    {
        var (filters, dense) = VggModel.Sizes(width);
        long floats = 3 * 32 * 32 * 2; // raw and augmented input
        long side = 32;
        foreach (long f in filters)
        {
            floats += 4 * f * side * side + 2 * f * (side / 2) * (side / 2); // conv, BN ×2; pool and dropout mask
            side /= 2;
        }

        return floats + 4 * dense + 3 * 10;
    }

    /// <summary>Bytes to train at <paramref name="width"/> with <paramref name="batch"/> images per step and <paramref name="rows"/> images resident on the device.</summary>
    public static double TrainingBytes(double width, long batch, long rows = 0) =>
        4.0 * (ParameterCount(width) * 7.0 + ActivationFloatsPerSample(width) * 2.0 * batch * 1.25 + rows * (3 * 32 * 32 + 1.0));

    /// <summary>Bytes to build the model and show its summary (parameters with their gradients and moments, and the host copy used to initialise them).</summary>
    public static double ModelBytes(double width) => 4.0 * ParameterCount(width) * 6.0;

    /// <summary>
    /// Throws a <see cref="UserError"/> when <paramref name="bytes"/> exceed what <paramref name="device"/>
    /// holds; <paramref name="what"/> names the work, <paramref name="advice"/> the flags that shrink it.
    /// </summary>
    public static void Require(ComputeDevice device, double bytes, string what, string advice)
    {
        long available = device.MemoryBytes;
        if (bytes > available)
        {
            throw new UserError(string.Create(CultureInfo.InvariantCulture, $"{what} needs about {Gib(bytes)} of memory, but the device ({device.Name}) has {Gib(available)}; {advice}."));
        }
    }

    private static string Gib(double bytes) => bytes >= 1 << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):N1} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):N0} MiB");
}
