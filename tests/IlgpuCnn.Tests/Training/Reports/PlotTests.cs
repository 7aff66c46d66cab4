using IlgpuCnn.Training.Callbacks;
using IlgpuCnn.Training.Reports;
using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Tests.Training.Reports;

/// <summary>The PNGs' content: each series drawn in its colour at its data points, axis ranges that hold the data, the heatmap's shades ordered by value.</summary>
public sealed class PlotTests
{
    private const string MatrixTitle = "Confusion matrix (normalised by predicted class)";

    /// <summary>Set ILGPUCNN_PLOT_DIR to keep the PNGs for a look; otherwise they go to a temp folder.</summary>
    private static string OutputFolder(TempDirectory temp) =>
        Environment.GetEnvironmentVariable("ILGPUCNN_PLOT_DIR") is { Length: > 0 } keep ? Directory.CreateDirectory(keep).FullName : temp.Path;

    /// <summary>True when a pixel within <paramref name="radius"/> of (x, y) has <paramref name="color"/> (each channel within 40, for anti-aliasing).</summary>
    private static bool ColorNear(Image<Rgb24> image, Pixel at, ScottPlot.Color color, int radius = 3)
    {
        for (int dy = -radius; dy <= radius; dy++)
        {
            for (int dx = -radius; dx <= radius; dx++)
            {
                int x = (int)Math.Round(at.X) + dx, y = (int)Math.Round(at.Y) + dy;
                if (x >= 0 && y >= 0 && x < image.Width && y < image.Height)
                {
                    var p = image[x, y];
                    if (Math.Abs(p.R - color.R) <= 40 && Math.Abs(p.G - color.G) <= 40 && Math.Abs(p.B - color.B) <= 40)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    [Fact]
    public void TrainingCurvesDrawEachSeriesInItsColourWithinAxesThatHoldIt()
    {
        using var temp = new TempDirectory();
        var dir = OutputFolder(temp);
        var path = Path.Combine(dir, "curves.png");
        var history = HistoryFilesTests.ReferenceHistory();
        TrainingCurvesPlot.Save(path, history);
        Assert.Empty(AtomicFileTests.Leftovers(dir));
        using var png = SixLabors.ImageSharp.Image.Load<Rgb24>(path);
        Assert.Equal((1400, 520), (png.Width, png.Height));

        var figure = TrainingCurvesPlot.Build(history); // the same figure, rendered again for its axes
        figure.Render(1400, 520).Dispose();
        string[][] panels = [[EpochLogs.Accuracy, EpochLogs.ValAccuracy], [EpochLogs.Loss, EpochLogs.ValLoss]];
        for (int panel = 0; panel < 2; panel++)
        {
            var plot = figure.GetPlot(panel);
            var (train, validation) = (history[panels[panel][0]], history[panels[panel][1]]);
            AssertAxesHold(plot, train.Concat(validation).ToArray(), train.Count);
            AssertSeriesDrawn(png, plot, train, TrainingCurvesPlot.TrainColor, panels[panel][0]);
            AssertSeriesDrawn(png, plot, validation, TrainingCurvesPlot.ValidationColor, panels[panel][1]);
        }
    }

    /// <summary>x spans epochs 1..n with a small margin, y the values' range with a small margin, x ticks are whole epochs.</summary>
    private static void AssertAxesHold(Plot plot, double[] values, int epochs)
    {
        var limits = plot.Axes.GetLimits();
        double lo = values.Min(), hi = values.Max(), span = hi - lo;
        Assert.InRange(limits.Left, 1 - (0.1 * epochs), 1);
        Assert.InRange(limits.Right, epochs, epochs * 1.1);
        Assert.InRange(limits.Bottom, lo - (0.25 * span), lo);
        Assert.InRange(limits.Top, hi, hi + (0.25 * span));
        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor && t.Position >= limits.Left && t.Position <= limits.Right).ToArray();
        Assert.True(ticks.Length >= 3, $"{ticks.Length} epoch ticks");
        Assert.All(ticks, t => Assert.Equal(Math.Round(t.Position), t.Position));
    }

    /// <summary>At (nearly) every epoch's data point the PNG has the series' colour (the other series may cross it at a few).</summary>
    private static void AssertSeriesDrawn(Image<Rgb24> png, Plot plot, IReadOnlyList<double> values, ScottPlot.Color color, string name)
    {
        int drawn = Enumerable.Range(0, values.Count).Count(e => ColorNear(png, plot.GetPixel(new Coordinates(e + 1, values[e])), color));
        Assert.True(drawn >= values.Count * 0.9, $"{name}: {drawn} of {values.Count} points show {color}");
    }

    [Fact]
    public void ConfusionMatrixShadesCellsByValueAndLabelsTheClasses()
    {
        using var temp = new TempDirectory();
        var dir = OutputFolder(temp);
        var path = Path.Combine(dir, "confusion_matrix.png");
        var (yTrue, yPred) = ReferenceConfusion.Labels();
        var matrix = ConfusionMatrix.From(yTrue, yPred, 10);
        ConfusionMatrixPlot.Save(path, matrix, ReferenceConfusion.ClassNames, MatrixTitle);
        Assert.Empty(AtomicFileTests.Leftovers(dir));
        using var png = SixLabors.ImageSharp.Image.Load<Rgb24>(path);
        Assert.Equal((1020, 900), (png.Width, png.Height));

        var plot = ConfusionMatrixPlot.Build(matrix, ReferenceConfusion.ClassNames, MatrixTitle);
        plot.GetImage(1020, 900).Dispose();
        var limits = plot.Axes.GetLimits();
        Assert.Equal((-0.5, 9.5, -0.5, 9.5), (limits.Left, limits.Right, limits.Bottom, limits.Top));
        Assert.Equal(ReferenceConfusion.ClassNames, plot.Axes.Bottom.TickGenerator.Ticks.OrderBy(t => t.Position).Select(t => t.Label));
        Assert.Equal(ReferenceConfusion.ClassNames, plot.Axes.Left.TickGenerator.Ticks.OrderByDescending(t => t.Position).Select(t => t.Label));

        double[,] normalized = matrix.NormalizedByPredicted();
        var cells = new List<(double Value, double Luminance)>();
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 10; j++)
            {
                // A corner of the cell, clear of its centred value text.
                var at = plot.GetPixel(new Coordinates(j - 0.35, 9 - i + 0.35));
                var p = png[(int)Math.Round(at.X), (int)Math.Round(at.Y)];
                cells.Add((normalized[i, j], (0.299 * p.R) + (0.587 * p.G) + (0.114 * p.B)));
                Assert.True(p.B >= p.R, $"cell ({i}, {j}) is {p}, not a shade of blue");
            }
        }

        Assert.All(cells.Where(c => c.Value == 0), c => Assert.True(c.Luminance > 240, $"an empty cell's luminance is {c.Luminance}"));
        Assert.True(cells.Max(c => c.Value) > 0.8 && cells.MaxBy(c => c.Value).Luminance < 100, "the largest cell is not dark");
        foreach (var a in cells)
        {
            Assert.All(cells.Where(b => b.Value > a.Value + 0.05), b => Assert.True(b.Luminance < a.Luminance, $"a cell of {b.Value:0.00} is lighter ({b.Luminance:0}) than one of {a.Value:0.00} ({a.Luminance:0})"));
        }
    }
}
