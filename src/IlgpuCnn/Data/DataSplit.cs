namespace IlgpuCnn.Data;

/// <summary>
/// Keras' <c>validation_split</c>: the LAST <c>rows − floor(rows·(1 − fraction))</c> rows are the
/// validation set, taken before any shuffling; the first rows are the training set.
/// With 50,000 rows and 0.2 that is 40,000 training rows (0..39,999) and 10,000 validation rows.
/// </summary>
public sealed class DataSplit
{
    private DataSplit(int trainCount, int validationCount)
    {
        TrainCount = trainCount;
        ValidationCount = validationCount;
    }

    /// <summary>Rows 0..TrainCount−1 train.</summary>
    public int TrainCount { get; }

    /// <summary>Rows TrainCount..Rows−1 validate.</summary>
    public int ValidationCount { get; }

    public int Rows => TrainCount + ValidationCount;

    /// <summary>Splits <paramref name="rows"/> rows with a validation fraction in [0, 1).</summary>
    public static DataSplit Create(int rows, double validationFraction)
    {
        if (rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "expected 0 or more rows.");
        }

        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new UserError($"--validation-split must be at least 0 and below 1, but got {validationFraction}.");
        }

        int train = (int)Math.Floor(rows * (1.0 - validationFraction));
        if (rows > 0 && train == 0)
        {
            throw new UserError($"--validation-split {validationFraction} leaves no training rows out of {rows}; use a smaller fraction or more rows.");
        }

        if (rows > 0 && validationFraction > 0 && train == rows)
        {
            throw new UserError($"--validation-split {validationFraction} leaves no validation rows out of {rows} (each row is {1.0 / rows:G3} of them); use a larger fraction or more rows.");
        }

        return new DataSplit(train, rows - train);
    }

    /// <summary>Dataset indices of the training rows, in file order: 0..TrainCount−1.</summary>
    public int[] TrainIndices() => Enumerable.Range(0, TrainCount).ToArray();

    /// <summary>Dataset indices of the validation rows, in file order: TrainCount..Rows−1.</summary>
    public int[] ValidationIndices() => Enumerable.Range(TrainCount, ValidationCount).ToArray();
}
