using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Data;

/// <summary>
/// The recipe's training augmentation as ONE kernel per batch: RandomFlip("horizontal"),
/// RandomRotation(0.1), RandomZoom(0.15) and RandomCrop(32, 32) (identity on 32×32 input),
/// fused into one affine map about the image centre c = ((W−1)/2, (H−1)/2), as Keras'
/// transform matrices use, followed by one bilinear resample with fill mode 'reflect'.
/// <para>
/// For an output pixel p = (x, y) the input point is
/// <c>src = c + F · R(angle) · zoom · (p − c)</c>, with R = [[cos, −sin], [sin, cos]] (Keras
/// RandomRotation's matrix; applied to output coordinates it gives the input coordinates) and
/// F = diag(−1, 1) when flipped — the composition of the three Keras layers applied in the
/// recipe's order (flip, then rotate, then zoom). 'reflect' extends the image as
/// (d c b a | a b c d | d c b a), i.e. TF's ImageProjectiveTransformV3 FILL_REFLECT: index i
/// outside 0..n−1 reads pixel (i mod 2n) or 2n−1−(i mod 2n). Layout NCHW [N, 3, 32, 32].
/// </para>
/// Randomness is <see cref="CounterRng"/> keyed by (seed, epoch, step, image in batch), so
/// every device and a host reference draw the same parameters (<see cref="Draw"/>).
/// </summary>
public sealed class Augmentation
{
    /// <summary>RandomRotation factor: angle uniform in [−0.1·2π, +0.1·2π].</summary>
    public const float RotationFactor = 0.1f;

    /// <summary>RandomZoom factor: zoom uniform in [1 − 0.15, 1 + 0.15] for both axes.</summary>
    public const float ZoomFactor = 0.15f;

    /// <summary>RandomFlip probability of a horizontal flip.</summary>
    public const float FlipProbability = 0.5f;

    private const int Size = CifarDataset.ImageSize;
    private const int Plane = Size * Size;

    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, uint, int, int> _random;

    private Augmentation(ComputeDevice device)
    {
        _random = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, uint, int, int>(RandomKernel);
    }

    /// <summary>The device's augmentation kernels, compiled on first use and then reused.</summary>
    public static Augmentation For(ComputeDevice device) => device.Kernels(d => new Augmentation(d));

    /// <summary>
    /// Augments the first <paramref name="count"/> images of <paramref name="source"/> into
    /// <paramref name="destination"/> (both [N, 3, 32, 32], not overlapping) with parameters
    /// drawn from (seed, epoch, step, image). Queued on the default stream; not synchronised.
    /// </summary>
    public void Apply(ArrayView<float> source, ArrayView<float> destination, int count, uint seed, int epoch, int step)
    {
        Check(source, destination, count);
        if (count > 0)
        {
            _random(count * Plane, source, destination, seed, epoch, step);
        }
    }

    /// <summary>
    /// The parameters of image <paramref name="image"/> of batch <paramref name="step"/> in
    /// epoch <paramref name="epoch"/>: flip with p = 0.5, angle uniform in [−0.2π, 0.2π),
    /// zoom uniform in [0.85, 1.15). Pure; the kernel calls the same function.
    /// </summary>
    public static AugmentParams Draw(uint seed, int epoch, int step, int image)
    {
        uint key = CounterRng.Hash(seed, CounterRng.StreamAugment + (uint)epoch, (uint)step);
        uint counter = (uint)image * 3u;
        float uFlip = CounterRng.Uniform(key, CounterRng.StreamAugment, counter);
        float uAngle = CounterRng.Uniform(key, CounterRng.StreamAugment, counter + 1u);
        float uZoom = CounterRng.Uniform(key, CounterRng.StreamAugment, counter + 2u);
        return new AugmentParams(
            uFlip < FlipProbability ? 1 : 0,
            ((2f * uAngle) - 1f) * RotationFactor * 2f * MathF.PI,
            1f + (((2f * uZoom) - 1f) * ZoomFactor));
    }

    /// <summary>Index i of the reflect-extended axis of length n (d c b a | a b c d | d c b a).</summary>
    public static int Reflect(int i, int n)
    {
        int period = 2 * n;
        int m = i % period;
        if (m < 0)
        {
            m += period;
        }

        return m < n ? m : period - 1 - m;
    }

    private static void Check(ArrayView<float> source, ArrayView<float> destination, int count)
    {
        long floats = (long)count * CifarDataset.ImageFloats;
        if (count < 0 || source.Length < floats || destination.Length < floats)
        {
            throw new ArgumentException($"expected {count} images ({floats} floats) in both views, but got {source.Length} and {destination.Length}.");
        }
    }

    /// <summary>One thread per (image, output pixel), spread over the whole GPU: draws the image's parameters, then resamples the pixel.</summary>
    [Kernel]
    internal static void RandomKernel(Index1D index, ArrayView<float> source, ArrayView<float> destination, uint seed, int epoch, int step)
    {
        int image = index / Plane;
        int pixel = index - (image * Plane);
        ResamplePixel(source, destination, image, pixel / Size, pixel % Size, Draw(seed, epoch, step, image));
    }

    /// <summary>Output pixel (x, y) of one image: src = c + F·R·zoom·(p − c), bilinear, reflect fill; 3 channels.</summary>
    internal static void ResamplePixel(ArrayView<float> source, ArrayView<float> destination, int image, int y, int x, AugmentParams p)
    {
        const float c = (Size - 1) * 0.5f;
        float cos = MathF.Cos(p.Angle) * p.Zoom;
        float sin = MathF.Sin(p.Angle) * p.Zoom;
        float flip = p.Flip != 0 ? -1f : 1f;
        float dy = y - c;
        float dx = x - c;
        float sx = c + (flip * ((cos * dx) - (sin * dy)));
        float sy = c + ((sin * dx) + (cos * dy));
        float x0f = MathF.Floor(sx);
        float y0f = MathF.Floor(sy);
        float fx = sx - x0f;
        float fy = sy - y0f;
        int x0 = (int)x0f;
        int y0 = (int)y0f;
        int ix0 = Reflect(x0, Size);
        int ix1 = Reflect(x0 + 1, Size);
        int iy0 = Reflect(y0, Size) * Size;
        int iy1 = Reflect(y0 + 1, Size) * Size;
        long baseIndex = (long)image * CifarDataset.ImageFloats;
        for (int ch = 0; ch < CifarDataset.Channels; ch++)
        {
            long plane = baseIndex + (ch * Plane);
            float top = ((1f - fx) * source[plane + iy0 + ix0]) + (fx * source[plane + iy0 + ix1]);
            float bottom = ((1f - fx) * source[plane + iy1 + ix0]) + (fx * source[plane + iy1 + ix1]);
            destination[plane + (y * Size) + x] = ((1f - fy) * top) + (fy * bottom);
        }
    }
}
