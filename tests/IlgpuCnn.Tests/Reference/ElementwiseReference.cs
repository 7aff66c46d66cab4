namespace IlgpuCnn.Tests.Reference;

/// <summary>ReLU, dropout (given its keep mask), 2×2 max-pool and global average pooling as plain double-precision loops (NCHW).</summary>
public static class ElementwiseReference
{
    public static double[] ReluForward(float[] x) => x.Select(v => Math.Max(0.0, v)).ToArray();

    /// <summary>dx = dy where x &gt; 0, else 0 (written, not accumulated).</summary>
    public static double[] ReluBackward(float[] x, float[] dy) => x.Select((v, i) => v > 0 ? (double)dy[i] : 0).ToArray();

    /// <summary>Inverted dropout: a kept value is scaled by 1/(1 − rate), a dropped one is 0; the same for the gradient.</summary>
    public static double Dropout(float value, bool keep, float rate) => keep ? value / (1.0 - rate) : 0;

    /// <summary>
    /// 2×2, stride-2 max-pool over <paramref name="planes"/> planes of h×w: y, and dx where every input
    /// of a window is written (dy at the first argmax, 0 elsewhere) and an odd last row/column keeps
    /// <paramref name="dx0"/> (in no window).
    /// </summary>
    public static (double[] Y, double[] Dx) MaxPool(float[] x, float[] dy, float[] dx0, int planes, int h, int w)
    {
        int oh = h / 2, ow = w / 2;
        var y = new double[dy.Length];
        var dx = dx0.Select(v => (double)v).ToArray();
        for (int p = 0; p < planes; p++)
        for (int r = 0; r < 2 * oh; r++)
        for (int q = 0; q < 2 * ow; q++)
        {
            dx[((long)p * h + r) * w + q] = 0;
        }

        for (int p = 0; p < planes; p++)
        for (int r = 0; r < oh; r++)
        for (int q = 0; q < ow; q++)
        {
            int best = -1;
            for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                int i = (p * h + 2 * r + a) * w + 2 * q + b;
                if (best < 0 || x[i] > x[best])
                {
                    best = i;
                }
            }

            int o = (p * oh + r) * ow + q;
            y[o] = x[best];
            dx[best] += dy[o];
        }

        return (y, dx);
    }

    /// <summary>Global average pooling over planes of <paramref name="hw"/> values: y = mean, dx = dy/hw (written).</summary>
    public static (double[] Y, double[] Dx) GlobalAvgPool(float[] x, float[] dy, int planes, int hw)
    {
        var y = Enumerable.Range(0, planes).Select(p => Enumerable.Range(0, hw).Sum(i => (double)x[p * hw + i]) / hw).ToArray();
        var dx = x.Select((_, i) => (double)dy[i / hw] / hw).ToArray();
        return (y, dx);
    }
}
