namespace IlgpuCnn.Tests.Reference;

/// <summary>One AdamW step (Keras 3: decoupled decay first, then the bias-corrected Adam step) in double precision, in place.</summary>
public static class AdamWReference
{
    public static void Step(double[] w, double[] m, double[] v, float[] g, int t, double lr, double wd, double b1, double b2, double eps)
    {
        double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
        for (int i = 0; i < w.Length; i++)
        {
            w[i] -= lr * wd * w[i];
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
        }
    }
}
