using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Reference;

/// <summary>
/// A plain double-precision reference of the recipe's augmentation, written the way Keras and
/// TF do it rather than the way the kernel does: the three Keras transform matrices applied in
/// turn to the output coordinate (RandomZoom, then RandomRotation, then RandomFlip — the
/// inverse order of the layers, since each maps output to input coordinates), then TF's
/// ImageProjectiveTransformV3 FILL_REFLECT coordinate map with its clamp, then bilinear
/// interpolation reading 0 outside the image.
/// </summary>
public static class AugmentReference
{
    private const int N = CifarDataset.ImageSize;

    /// <summary>Augments one [3, 32, 32] image.</summary>
    public static float[] Apply(ReadOnlySpan<float> image, AugmentParams p)
    {
        var output = new float[CifarDataset.ImageFloats];
        double w = N, h = N;
        double z = p.Zoom, cos = Math.Cos(p.Angle), sin = Math.Sin(p.Angle);
        // Keras RandomZoom: [zx, 0, (w−1)/2·(1−zx), 0, zy, (h−1)/2·(1−zy)]
        double zoomXOffset = (w - 1) / 2.0 * (1 - z), zoomYOffset = (h - 1) / 2.0 * (1 - z);
        // Keras RandomRotation: [cos, −sin, x_off, sin, cos, y_off]
        double rotXOffset = ((w - 1) - ((cos * (w - 1)) - (sin * (h - 1)))) / 2.0;
        double rotYOffset = ((h - 1) - ((sin * (w - 1)) + (cos * (h - 1)))) / 2.0;
        for (int y = 0; y < N; y++)
        {
            for (int x = 0; x < N; x++)
            {
                double zx = (z * x) + zoomXOffset, zy = (z * y) + zoomYOffset;
                double rx = (cos * zx) - (sin * zy) + rotXOffset, ry = (sin * zx) + (cos * zy) + rotYOffset;
                double sx = p.Flip != 0 ? (w - 1) - rx : rx, sy = ry;
                sx = MapReflect(sx, N);
                sy = MapReflect(sy, N);
                for (int ch = 0; ch < 3; ch++)
                {
                    output[(ch * N * N) + (y * N) + x] = (float)Bilinear(image, ch, sy, sx);
                }
            }
        }

        return output;
    }

    /// <summary>TF's MapCoordinate&lt;FILL_REFLECT&gt;: reflect [abcd] to [dcba|abcd|dcba], then clamp to [0, len−1].</summary>
    public static double MapReflect(double coord, int len)
    {
        double c = coord;
        int sz2 = 2 * len;
        if (c < 0)
        {
            if (c < sz2)
            {
                c = (sz2 * (long)(-c / sz2)) + c;
            }

            c = c < -len ? c + sz2 : -c - 1;
        }
        else if (c > len - 1)
        {
            c -= sz2 * (long)(c / sz2);
            if (c >= len)
            {
                c = sz2 - c - 1;
            }
        }

        return Math.Min(Math.Max(c, 0), len - 1);
    }

    private static double Bilinear(ReadOnlySpan<float> image, int ch, double y, double x)
    {
        double y0 = Math.Floor(y), x0 = Math.Floor(x), y1 = y0 + 1, x1 = x0 + 1;
        double top = ((x1 - x) * Read(image, ch, y0, x0)) + ((x - x0) * Read(image, ch, y0, x1));
        double bottom = ((x1 - x) * Read(image, ch, y1, x0)) + ((x - x0) * Read(image, ch, y1, x1));
        return ((y1 - y) * top) + ((y - y0) * bottom);
    }

    private static double Read(ReadOnlySpan<float> image, int ch, double y, double x) =>
        y >= 0 && y < N && x >= 0 && x < N ? image[(ch * N * N) + ((int)y * N) + (int)x] : 0.0;
}
