namespace IlgpuCnn.Tests.Training.Reports;

/// <summary>
/// A 10-class test-set confusion matrix (1,000 images per class) built so that its per-class
/// precision, recall and f1 round to the tutorial's report (shared/reference/keras_classification_report.txt).
/// </summary>
internal static class ReferenceConfusion
{
    public static readonly string[] ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Rows = true class, columns = predicted class.</summary>
    public static readonly int[,] Counts =
    {
        { 870, 103, 27, 0, 0, 0, 0, 0, 0, 0 },
        { 0, 940, 0, 0, 0, 0, 0, 0, 0, 60 },
        { 60, 0, 770, 148, 22, 0, 0, 0, 0, 0 },
        { 0, 0, 77, 680, 147, 96, 0, 0, 0, 0 },
        { 0, 0, 0, 0, 830, 36, 134, 0, 0, 0 },
        { 0, 0, 0, 0, 0, 760, 102, 138, 0, 0 },
        { 0, 0, 0, 0, 0, 0, 950, 24, 26, 0 },
        { 0, 0, 0, 0, 0, 0, 0, 930, 42, 28 },
        { 0, 0, 0, 0, 0, 0, 0, 0, 910, 90 },
        { 60, 0, 0, 0, 0, 0, 0, 0, 0, 940 },
    };

    /// <summary>Label arrays realising <see cref="Counts"/>.</summary>
    public static (int[] YTrue, int[] YPred) Labels() => LabelsFor(Counts);

    public static (int[] YTrue, int[] YPred) LabelsFor(int[,] counts)
    {
        var yTrue = new List<int>();
        var yPred = new List<int>();
        for (int i = 0; i < counts.GetLength(0); i++)
        {
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                for (int k = 0; k < counts[i, j]; k++)
                {
                    yTrue.Add(i);
                    yPred.Add(j);
                }
            }
        }

        return ([.. yTrue], [.. yPred]);
    }
}
