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

        // The one rule for the validation split; the option is named by its property, the CLI names its flag.
        const string option = "ValidationSplit";
        OptionException.Require(validationFraction >= 0 && validationFraction < 1, option, $"The validation split must be at least 0 and below 1, but got {validationFraction}.");
        int train = (int)Math.Floor(rows * (1.0 - validationFraction));
        OptionException.Require(rows == 0 || train > 0, option, $"A validation split of {validationFraction} leaves no training rows out of {rows}; use a smaller fraction or more rows.");
        OptionException.Require(rows == 0 || validationFraction == 0 || train < rows, option, $"A validation split of {validationFraction} leaves no validation rows out of {rows} (each row is {1.0 / rows:G3} of them); use a larger fraction or more rows.");
        return new DataSplit(train, rows - train);
    }

    /// <summary>Dataset indices of the validation rows, in file order: TrainCount..Rows−1.</summary>
    public int[] ValidationIndices() => Enumerable.Range(TrainCount, ValidationCount).ToArray();
}
