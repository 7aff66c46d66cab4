using IlgpuCnn.Training.Callbacks;
using ScottPlot;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// The run's curves PNG: accuracy (left) and loss (right), training vs validation, against the
/// 1-based epoch, as the tutorial plots them: training in <see cref="TrainColor"/>, validation in
/// <see cref="ValidationColor"/>; written atomically.
/// </summary>
public static class TrainingCurvesPlot
{
    /// <summary>The training series' colour (matplotlib's C0 blue).</summary>
    public static readonly Color TrainColor = Colors.C0;

    /// <summary>The validation series' colour (matplotlib's C1 orange).</summary>
    public static readonly Color ValidationColor = Colors.C1;

    /// <summary>Renders <see cref="Build"/>'s figure at <paramref name="width"/>×<paramref name="height"/> and writes it as PNG.</summary>
    public static void Save(string path, History history, int width = 1400, int height = 520)
    {
        using var image = Build(history).Render(width, height);
        AtomicFile.Write(path, stream => stream.Write(image.GetImageBytes(ImageFormat.Png)));
    }

    /// <summary>The two panels (accuracy, loss), each with its train and validation series, not yet rendered.</summary>
    public static Multiplot Build(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var multiplot = new Multiplot();
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.AddPlot(Panel(history, "Accuracy", EpochLogs.Accuracy, EpochLogs.ValAccuracy, Alignment.LowerRight));
        multiplot.AddPlot(Panel(history, "Loss", EpochLogs.Loss, EpochLogs.ValLoss, Alignment.UpperRight));
        multiplot.RemovePlot(multiplot.GetPlot(0)); // the empty plot a new Multiplot starts with
        return multiplot;
    }

    private static Plot Panel(History history, string title, string train, string validation, Alignment legend)
    {
        var plot = new Plot();
        AddSeries(plot, history[train], "train", TrainColor);
        AddSeries(plot, history[validation], "validation", ValidationColor);
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
