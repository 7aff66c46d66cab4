using IlgpuCnn.Training.Callbacks;
using ScottPlot;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// The run's curves PNG: accuracy (left) and loss (right), training vs validation, against the
/// 1-based epoch, as the tutorial plots them; written atomically.
/// </summary>
public static class TrainingCurvesPlot
{
    public static void Save(string path, History history, int width = 1400, int height = 520)
    {
        ArgumentNullException.ThrowIfNull(history);
        var multiplot = new Multiplot();
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.AddPlot(Panel(history, "Accuracy", EpochLogs.Accuracy, EpochLogs.ValAccuracy, Alignment.LowerRight));
        multiplot.AddPlot(Panel(history, "Loss", EpochLogs.Loss, EpochLogs.ValLoss, Alignment.UpperRight));
        multiplot.RemovePlot(multiplot.GetPlot(0)); // the empty plot a new Multiplot starts with
        using var image = multiplot.Render(width, height);
        AtomicFile.Write(path, stream => stream.Write(image.GetImageBytes(ImageFormat.Png)));
    }

    private static Plot Panel(History history, string title, string train, string validation, Alignment legend)
    {
        var plot = new Plot();
        AddSeries(plot, history[train], "train", Colors.C0);
        AddSeries(plot, history[validation], "validation", Colors.C1);
        plot.Title(title);
        plot.XLabel("Epoch");
        plot.YLabel(title);
        plot.Legend.Alignment = legend;
        plot.Axes.Margins(0.03, 0.08);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    private static void AddSeries(Plot plot, IReadOnlyList<double> values, string label, Color color)
    {
        if (values.Count == 0)
        {
            return;
        }

        var xs = Enumerable.Range(1, values.Count).Select(e => (double)e).ToArray();
        var scatter = plot.Add.Scatter(xs, values.ToArray(), color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = values.Count <= 30 ? 5 : 0;
    }
}
