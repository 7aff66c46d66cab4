namespace IlgpuCnn.Tests.Reference;

/// <summary>Batch normalisation over (N, H, W) per channel as plain double-precision loops (Keras' formulas).</summary>
public static class BatchNormReference
{
    /// <summary>What one training step and one inference pass give.</summary>
    public sealed record Result(double[] Y, double[] YInference, double[] MovingMean, double[] MovingVar, double[] Dx, double[] DGamma, double[] DBeta);

    /// <summary>
    /// Training forward (batch statistics, biased variance), moving statistics updated with
    /// <paramref name="momentum"/>, backward (dx written; dγ, dβ as sums to be added), and inference
    /// forward with the updated moving statistics.
    /// </summary>
    public static Result Run(float[] x, float[] gamma, float[] beta, float[] movingMean, float[] movingVar, float[] dy, int n, int c, int hw, double eps, double momentum)
    {
        int m = n * hw;
        var y = new double[x.Length];
        var yInf = new double[x.Length];
        var dx = new double[x.Length];
        var dg = new double[c];
        var db = new double[c];
        var mm = new double[c];
        var mv = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            var idx = Enumerable.Range(0, m).Select(i => (i / hw * c + ch) * hw + i % hw).ToArray();
            double mean = idx.Average(i => (double)x[i]);
            double variance = idx.Average(i => (x[i] - mean) * (x[i] - mean));
            double rs = 1 / Math.Sqrt(variance + eps);
            mm[ch] = momentum * movingMean[ch] + (1 - momentum) * mean;
            mv[ch] = momentum * movingVar[ch] + (1 - momentum) * variance;
            double sdy = 0, sdyx = 0;
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean) * rs;
                y[i] = gamma[ch] * xhat + beta[ch];
                yInf[i] = gamma[ch] * (x[i] - mm[ch]) / Math.Sqrt(mv[ch] + eps) + beta[ch];
                sdy += dy[i];
                sdyx += dy[i] * xhat;
            }

            db[ch] = sdy;
            dg[ch] = sdyx;
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean) * rs;
                dx[i] = gamma[ch] * rs / m * (m * dy[i] - sdy - xhat * sdyx);
            }
        }

        return new Result(y, yInf, mm, mv, dx, dg, db);
    }
}
