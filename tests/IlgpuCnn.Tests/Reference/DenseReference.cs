namespace IlgpuCnn.Tests.Reference;

/// <summary>Dense (x [n, in], w [in, out], b [out]) as plain double-precision loops.</summary>
public static class DenseReference
{
    /// <summary>y[n,o] = b[o] + Σ_i x[n,i]·w[i,o].</summary>
    public static double[] Forward(float[] x, float[] w, float[] b, int n, int inF, int outF)
    {
        var y = new double[n * outF];
        for (int s = 0; s < n; s++)
        for (int o = 0; o < outF; o++)
        {
            double acc = b[o];
            for (int i = 0; i < inF; i++)
            {
                acc += (double)x[s * inF + i] * w[i * outF + o];
            }

            y[s * outF + o] = acc;
        }

        return y;
    }

    /// <summary>Gradients of L = Σ y·dy: dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_n dy.</summary>
    public static (double[] Dx, double[] Dw, double[] Db) Backward(float[] x, float[] w, float[] dy, int n, int inF, int outF)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[outF];
        for (int s = 0; s < n; s++)
        for (int i = 0; i < inF; i++)
        for (int o = 0; o < outF; o++)
        {
            dx[s * inF + i] += (double)dy[s * outF + o] * w[i * outF + o];
            dw[i * outF + o] += (double)x[s * inF + i] * dy[s * outF + o];
        }

        for (int s = 0; s < n; s++)
        for (int o = 0; o < outF; o++)
        {
            db[o] += dy[s * outF + o];
        }

        return (dx, dw, db);
    }
}
