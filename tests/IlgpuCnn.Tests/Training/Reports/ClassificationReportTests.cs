using IlgpuCnn.Training.Reports;

namespace IlgpuCnn.Tests.Training.Reports;

public sealed class ClassificationReportTests
{
    [Fact]
    public void SmallCaseMatchesAHandDerivedReport()
    {
        // true\pred  a  b  c
        //   a        3  1  0     precision a = 3/4, recall a = 3/4, f1 = 6/8
        //   b        1  2  1     precision b = 2/3, recall b = 2/4, f1 = 4/7
        //   c        0  0  0     nothing true or predicted as c except one: precision c = 0/1, recall 0 (no support)
        var (yTrue, yPred) = ReferenceConfusion.LabelsFor(new[,] { { 3, 1, 0 }, { 1, 2, 1 }, { 0, 0, 0 } });
        string report = ClassificationReport.Format(yTrue, yPred, ["a", "b", "c"]);

        // macro p = (0.75 + 0.6667 + 0)/3 = 0.4722; r = (0.75 + 0.5 + 0)/3 = 0.4167; f1 = (0.75 + 0.5714 + 0)/3 = 0.4405
        // weighted (supports 4, 4, 0): p = 0.7083, r = 0.625, f1 = 0.6607; accuracy 5/8 = 0.625 → "0.62" (half-even)
        string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "           a       0.75      0.75      0.75         4\n" +
            "           b       0.67      0.50      0.57         4\n" +
            "           c       0.00      0.00      0.00         0\n" +
            "\n" +
            "    accuracy                           0.62         8\n" +
            "   macro avg       0.47      0.42      0.44         8\n" +
            "weighted avg       0.71      0.62      0.66         8\n";
        Assert.Equal(expected, report);
    }

    [Fact]
    public void RoundsExactTiesHalfToEvenLikePython()
    {
        // 0.125 → "0.12", 0.375 → "0.38", 0.625 → "0.62", 0.875 → "0.88", 0.5 digits 0 → "0"
        Assert.Equal("0.12", PythonFloatFormat.Fixed(0.125, 2));
        Assert.Equal("0.38", PythonFloatFormat.Fixed(0.375, 2));
        Assert.Equal("0.62", PythonFloatFormat.Fixed(0.625, 2));
        Assert.Equal("0.88", PythonFloatFormat.Fixed(0.875, 2));
        Assert.Equal("0", PythonFloatFormat.Fixed(0.5, 0));
        Assert.Equal("2", PythonFloatFormat.Fixed(1.5, 0));
        Assert.Equal("0.67", PythonFloatFormat.Fixed(2.0 / 3, 2));
        Assert.Equal("0.01", PythonFloatFormat.Fixed(0.015, 2)); // 0.015 is 0.01499999... in binary
        Assert.Equal("1.00", PythonFloatFormat.Fixed(0.999, 2));
        Assert.Equal("12.3457", PythonFloatFormat.Fixed(12.345678, 4));
    }

    [Fact]
    public void LongClassNamesWidenTheNameColumn()
    {
        var (yTrue, yPred) = ReferenceConfusion.LabelsFor(new[,] { { 1, 0 }, { 0, 1 } });
        string report = ClassificationReport.Format(yTrue, yPred, ["x", "a-much-longer-name"]);
        var lines = report.Split('\n');
        Assert.Equal("a-much-longer-name       1.00      1.00      1.00         1", lines[3]);
        Assert.Equal("      weighted avg       1.00      1.00      1.00         2", lines[7]);
    }

    [Fact]
    public void ReproducesTheTutorialsReportValuesAndStructure()
    {
        var (yTrue, yPred) = ReferenceConfusion.Labels();
        string ours = ClassificationReport.Format(yTrue, yPred, ReferenceConfusion.ClassNames);
        var ourLines = ours.TrimEnd('\n').Split('\n');
        var refLines = File.ReadAllText(RepoPaths.SharedReference("keras_classification_report.txt")).TrimEnd('\n').Split('\n');

        // Same lines, same words and numbers in the same order.
        Assert.Equal(refLines.Length, ourLines.Length);
        for (int i = 0; i < refLines.Length; i++)
        {
            Assert.Equal(Tokens(refLines[i]), Tokens(ourLines[i]));
        }

        // sklearn's layout for these names (width = len("weighted avg") = 12): every token right-aligned
        // at the same column on every line; the names end at 12, the value columns at 23, 33, 43, 53.
        // (The reference file's columns sit at 14/24/34/44/54: it was not printed by this sklearn layout.)
        int[] ends = [12, 23, 33, 43, 53];
        foreach (var line in ourLines.Where(l => l.Length > 0))
        {
            Assert.Equal(53, line.Length);
            var tokenEnds = TokenEnds(line);
            Assert.All(tokenEnds, e => Assert.Contains(e, ends));
        }

        Assert.Equal("      airplane      0.88      0.87      0.87      1000", refLines[2]);
        Assert.Equal("    airplane       0.88      0.87      0.87      1000", ourLines[2]);
        Assert.Equal("    accuracy                           0.86     10000", ourLines[13]);
    }

    private static string[] Tokens(string line) =>
        line.Replace("macro avg", "macro_avg", StringComparison.Ordinal)
            .Replace("weighted avg", "weighted_avg", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static List<int> TokenEnds(string line)
    {
        var ends = new List<int>();
        string t = line.Replace("macro avg", "macro_avg", StringComparison.Ordinal).Replace("weighted avg", "weighted_avg", StringComparison.Ordinal);
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] != ' ' && (i + 1 == t.Length || t[i + 1] == ' '))
            {
                ends.Add(i + 1);
            }
        }

        return ends;
    }
}
