namespace IlgpuCnn.Training.Reports;

/// <summary>
/// Counts of (true class, predicted class) pairs, rows = true class, columns = predicted, as
/// sklearn's <c>confusion_matrix</c>.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Classes = classes;
        _counts = new long[classes, classes];
    }

    public int Classes { get; }

    /// <summary>How many samples of class <paramref name="trueClass"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int trueClass, int predicted] => _counts[trueClass, predicted];

    public long Total { get; private set; }

    /// <summary>Builds the matrix from label arrays of equal length, every label in [0, classes).</summary>
    public static ConfusionMatrix From(ReadOnlySpan<int> yTrue, ReadOnlySpan<int> yPred, int classes)
    {
        if (yTrue.Length != yPred.Length)
        {
            throw new ArgumentException($"yTrue has {yTrue.Length} labels but yPred has {yPred.Length}");
        }

        var m = new ConfusionMatrix(classes);
        for (int i = 0; i < yTrue.Length; i++)
        {
            m.Add(yTrue[i], yPred[i]);
        }

        return m;
    }

    /// <summary>Counts one sample.</summary>
    public void Add(int trueClass, int predicted)
    {
        if ((uint)trueClass >= (uint)Classes || (uint)predicted >= (uint)Classes)
        {
            throw new ArgumentOutOfRangeException(nameof(trueClass), $"labels ({trueClass}, {predicted}) must lie in [0, {Classes})");
        }

        _counts[trueClass, predicted]++;
        Total++;
    }

    /// <summary>Samples whose true class is <paramref name="trueClass"/> (sklearn's support).</summary>
    public long RowSum(int trueClass)
    {
        long s = 0;
        for (int j = 0; j < Classes; j++)
        {
            s += _counts[trueClass, j];
        }

        return s;
    }

    /// <summary>Samples predicted as <paramref name="predicted"/>.</summary>
    public long ColumnSum(int predicted)
    {
        long s = 0;
        for (int i = 0; i < Classes; i++)
        {
            s += _counts[i, predicted];
        }

        return s;
    }

    /// <summary>
    /// sklearn's <c>confusion_matrix(..., normalize='pred')</c>: each count divided by its column's
    /// sum, so every predicted class's column sums to 1; a never-predicted column is all 0.
    /// </summary>
    public double[,] NormalizedByPredicted()
    {
        var result = new double[Classes, Classes];
        for (int j = 0; j < Classes; j++)
        {
            long column = ColumnSum(j);
            for (int i = 0; i < Classes; i++)
            {
                result[i, j] = column == 0 ? 0.0 : (double)_counts[i, j] / column;
            }
        }

        return result;
    }
}
