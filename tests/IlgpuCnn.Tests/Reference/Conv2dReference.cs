namespace IlgpuCnn.Tests.Reference;

/// <summary>Conv2d (NCHW, weights [co, ci, kh, kw]) as plain double-precision loops.</summary>
public static class Conv2dReference
{
    public static double[] Forward(float[] x, float[] w, float[] b, int n, int ci, int h, int wd, int co, int kh, int kw, int stride, int pad, out int oh, out int ow)
    {
        int ohh = (h + 2 * pad - kh) / stride + 1;
        int oww = (wd + 2 * pad - kw) / stride + 1;
        oh = ohh;
        ow = oww;
        var y = new double[n * co * ohh * oww];
        for (int s = 0; s < n; s++)
        for (int o = 0; o < co; o++)
        for (int r = 0; r < ohh; r++)
        for (int c = 0; c < oww; c++)
        {
            double acc = b.Length > 0 ? b[o] : 0;
            for (int i = 0; i < ci; i++)
            for (int p = 0; p < kh; p++)
            for (int q = 0; q < kw; q++)
            {
                int ih = r * stride - pad + p, iw = c * stride - pad + q;
                if (ih >= 0 && ih < h && iw >= 0 && iw < wd)
                {
                    acc += (double)w[((o * ci + i) * kh + p) * kw + q] * x[((s * ci + i) * h + ih) * wd + iw];
                }
            }

            y[((s * co + o) * ohh + r) * oww + c] = acc;
        }

        return y;
    }

    /// <summary>Gradients of L = Σ y·dy for the conv: (dx, dw, db).</summary>
    public static (double[] Dx, double[] Dw, double[] Db) Backward(float[] x, float[] w, float[] dy, int n, int ci, int h, int wd, int co, int kh, int kw, int stride, int pad)
    {
        int oh = (h + 2 * pad - kh) / stride + 1;
        int ow = (wd + 2 * pad - kw) / stride + 1;
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[co];
        for (int s = 0; s < n; s++)
        for (int o = 0; o < co; o++)
        for (int r = 0; r < oh; r++)
        for (int c = 0; c < ow; c++)
        {
            double g = dy[((s * co + o) * oh + r) * ow + c];
            db[o] += g;
            for (int i = 0; i < ci; i++)
            for (int p = 0; p < kh; p++)
            for (int q = 0; q < kw; q++)
            {
                int ih = r * stride - pad + p, iw = c * stride - pad + q;
                if (ih >= 0 && ih < h && iw >= 0 && iw < wd)
                {
                    int xi = ((s * ci + i) * h + ih) * wd + iw;
                    int wi = ((o * ci + i) * kh + p) * kw + q;
                    dx[xi] += g * w[wi];
                    dw[wi] += g * x[xi];
                }
            }
        }

        return (dx, dw, db);
    }
}
