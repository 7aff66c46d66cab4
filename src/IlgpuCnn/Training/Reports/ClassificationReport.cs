using System.Globalization;
using System.Text;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// sklearn's <c>classification_report(y_true, y_pred, labels=range(n), target_names=classNames, digits=2)</c>
/// text, character for character: name column width <c>max(longest name, len("weighted avg"), digits)</c>,
/// right-aligned 9-wide value columns each preceded by a space; per-class precision, recall, f1-score
/// and support, then accuracy, macro avg and weighted avg. Zero divisions give 0 (sklearn's
/// default after its warning); f1 is <c>2·tp / (2·tp + fp + fn)</c> as sklearn ≥ 1.3 computes it.
/// </summary>
public static class ClassificationReport
{
    private static readonly string[] Headers = ["precision", "recall", "f1-score", "support"];

    public static string Format(int[] yTrue, int[] yPred, string[] classNames, int digits = 2)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        ArgumentNullException.ThrowIfNull(classNames);
        return Format(ConfusionMatrix.From(yTrue, yPred, classNames.Length), classNames, digits);
    }

    public static string Format(ConfusionMatrix matrix, string[] classNames, int digits = 2)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Length != matrix.Classes)
        {
            throw new ArgumentException($"{classNames.Length} class names for a {matrix.Classes}-class matrix", nameof(classNames));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        int n = matrix.Classes;
        var (precision, recall, f1) = Scores(matrix);
        var support = Enumerable.Range(0, n).Select(c => (double)matrix.RowSum(c)).ToArray();
        int width = Math.Max(Math.Max(classNames.Max(s => s.Length), "weighted avg".Length), digits);
        var sb = new StringBuilder();
        sb.Append(string.Empty.PadLeft(width)).Append(' ').AppendJoin(string.Empty, Headers.Select(h => " " + h.PadLeft(9))).Append("\n\n");
        for (int c = 0; c < n; c++)
        {
            Row(sb, classNames[c], precision[c], recall[c], f1[c], matrix.RowSum(c), width, digits);
        }

        sb.Append('\n');
        long total = matrix.Total;
        long correct = Enumerable.Range(0, n).Sum(c => matrix[c, c]);
        double accuracy = total == 0 ? 0.0 : (double)correct / total;
        sb.Append("accuracy".PadLeft(width)).Append(' ')
            .Append(' ').Append(string.Empty.PadLeft(9))
            .Append(' ').Append(string.Empty.PadLeft(9))
            .Append(' ').Append(PythonFloatFormat.Fixed(accuracy, digits).PadLeft(9))
            .Append(' ').Append(total.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');

        Row(sb, "macro avg", NumpySum.Mean(precision), NumpySum.Mean(recall), NumpySum.Mean(f1), total, width, digits);
        double Weighted(double[] v) => total > 0 ? NumpySum.WeightedMean(v, support) : 0.0;
        Row(sb, "weighted avg", Weighted(precision), Weighted(recall), Weighted(f1), total, width, digits);
        return sb.ToString();
    }

    /// <summary>Per-class precision tp/predicted, recall tp/actual and f1 2tp/(2tp+fp+fn), 0 where the denominator is 0 (scikit-learn's zero_division=0).</summary>
    private static (double[] Precision, double[] Recall, double[] F1) Scores(ConfusionMatrix matrix)
    {
        int n = matrix.Classes;
        var precision = new double[n];
        var recall = new double[n];
        var f1 = new double[n];
        for (int c = 0; c < n; c++)
        {
            long tp = matrix[c, c];
            long predicted = matrix.ColumnSum(c);
            long actual = matrix.RowSum(c);
            precision[c] = predicted == 0 ? 0.0 : (double)tp / predicted;
            recall[c] = actual == 0 ? 0.0 : (double)tp / actual;
            long denominator = 2 * tp + (predicted - tp) + (actual - tp);
            f1[c] = denominator == 0 ? 0.0 : 2.0 * tp / denominator;
        }

        return (precision, recall, f1);
    }

    private static void Row(StringBuilder sb, string name, double p, double r, double f, long support, int width, int digits)
    {
        sb.Append(name.PadLeft(width)).Append(' ');
        foreach (double v in (ReadOnlySpan<double>)[p, r, f])
        {
            sb.Append(' ').Append(PythonFloatFormat.Fixed(v, digits).PadLeft(9));
        }

        sb.Append(' ').Append(support.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
    }
}
