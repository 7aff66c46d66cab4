using System.Globalization;
using ScottPlot;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// The run's confusion-matrix PNG as the tutorial draws it: a heatmap normalised by PREDICTED class
/// (<c>confusion_matrix(..., normalize='pred')</c>: each column sums to 1), true class down the
/// rows, predicted class across the columns, the value in each cell; written atomically.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Renders <see cref="Build"/>'s plot at (<paramref name="size"/> + 120)×<paramref name="size"/> and writes it as PNG.</summary>
    public static void Save(string path, ConfusionMatrix matrix, string[] classNames,
        string title = "Confusion matrix (normalised by predicted class)", int size = 900)
    {
        using var image = Build(matrix, classNames, title).GetImage(size + 120, size);
        AtomicFile.Write(path, stream => stream.Write(image.GetImageBytes(ImageFormat.Png)));
    }

    /// <summary>The heatmap with its cell values, class-name ticks and colour bar, not yet rendered.</summary>
    public static Plot Build(ConfusionMatrix matrix, string[] classNames, string title)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Length != matrix.Classes)
        {
            throw new ArgumentException($"{classNames.Length} class names for a {matrix.Classes}-class matrix", nameof(classNames));
        }

        int n = matrix.Classes;
        double[,] normalized = matrix.NormalizedByPredicted();
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(normalized);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()); // 0 white, 1 dark blue
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // The extent gives the outer cells' centres: cell (row i, column j) is centred on
        // (x = j, y = n-1-i), row 0 at the top as in the tutorial's plot.
        heatmap.Extent = new CoordinateRect(0, n - 1, 0, n - 1);
        AddCellValues(plot, normalized);
        LabelAxes(plot, classNames, title);
        plot.Add.ColorBar(heatmap);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        return plot;
    }

    /// <summary>The value of each cell, 2 decimals, white on dark cells and black on light ones.</summary>
    private static void AddCellValues(Plot plot, double[,] normalized)
    {
        int n = normalized.GetLength(0);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = normalized[i, j];
                var text = plot.Add.Text(v.ToString("0.00", CultureInfo.InvariantCulture), j, n - 1 - i);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = n <= 10 ? 14 : 10;
                text.LabelFontColor = v > 0.5 ? Colors.White : Colors.Black;
            }
        }
    }

    /// <summary>Class names as ticks (predicted across, rotated; true down, row 0 at the top), axis labels and title.</summary>
    private static void LabelAxes(Plot plot, string[] classNames, string title)
    {
        int n = classNames.Length;
        double[] positions = Enumerable.Range(0, n).Select(k => (double)k).ToArray();
        plot.Axes.Bottom.SetTicks(positions, classNames);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.MinimumSize = 90;
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), classNames);
        plot.Axes.Left.MinimumSize = 100;
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.Title(title);
    }
}
