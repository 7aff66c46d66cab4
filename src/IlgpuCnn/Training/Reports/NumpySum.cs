namespace IlgpuCnn.Training.Reports;

/// <summary>
/// numpy's float64 <c>add.reduce</c> order (pairwise summation with 8 partial sums, blocks of 128),
/// so averages match sklearn's to the last bit.
/// </summary>
internal static class NumpySum
{
    public static double Sum(ReadOnlySpan<double> a)
    {
        if (a.Length < 8)
        {
            double s = -0.0;
            foreach (double x in a)
            {
                s += x;
            }

            return s;
        }

        if (a.Length <= 128)
        {
            return Unrolled8(a);
        }

        int half = a.Length / 2;
        half -= half % 8;
        return Sum(a[..half]) + Sum(a[half..]);
    }

    /// <summary>A block of 8..128: eight running sums, combined pairwise, then the remainder in order.</summary>
    private static double Unrolled8(ReadOnlySpan<double> a)
    {
        Span<double> r = stackalloc double[8];
        for (int k = 0; k < 8; k++)
        {
            r[k] = a[k];
        }

        int i;
        for (i = 8; i < a.Length - (a.Length % 8); i += 8)
        {
            for (int k = 0; k < 8; k++)
            {
                r[k] += a[i + k];
            }
        }

        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < a.Length; i++)
        {
            res += a[i];
        }

        return res;
    }

    /// <summary><c>np.average(values)</c>.</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    /// <summary><c>np.average(values, weights=weights)</c>: sum(values·weights) / sum(weights).</summary>
    public static double WeightedMean(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        var products = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            products[i] = values[i] * weights[i];
        }

        return Sum(products) / Sum(weights);
    }
}
