namespace IlgpuCnn.Tests.Reference;

/// <summary>Softmax + sparse categorical cross-entropy (logits [n, k]) in double precision, log-sum-exp stabilised.</summary>
public static class SoftmaxCrossEntropyReference
{
    /// <summary>Probabilities, Σ loss, number of samples whose first argmax is the label, and dz = (p − onehot)/n.</summary>
    public static (double[] Probs, double LossSum, int Correct, double[] Dz) Run(float[] z, int[] labels, int n, int k)
    {
        var probs = new double[z.Length];
        var dz = new double[z.Length];
        double lossSum = 0;
        int correct = 0;
        for (int s = 0; s < n; s++)
        {
            double max = Enumerable.Range(0, k).Max(j => (double)z[s * k + j]);
            int arg = Enumerable.Range(0, k).First(j => z[s * k + j] == max);
            double lse = max + Math.Log(Enumerable.Range(0, k).Sum(j => Math.Exp(z[s * k + j] - max)));
            lossSum += lse - z[s * k + labels[s]];
            correct += arg == labels[s] ? 1 : 0;
            for (int j = 0; j < k; j++)
            {
                probs[s * k + j] = Math.Exp(z[s * k + j] - lse);
                dz[s * k + j] = (probs[s * k + j] - (j == labels[s] ? 1 : 0)) / n;
            }
        }

        return (probs, lossSum, correct, dz);
    }
}
