using IlgpuCnn.Training.Reports;

namespace IlgpuCnn.Tests.Training.Reports;

public sealed class PlotTests
{
    /// <summary>Set ILGPUCNN_PLOT_DIR to keep the PNGs for a look; otherwise they go to a temp folder.</summary>
    private static string OutputFolder(TempDirectory temp) =>
        Environment.GetEnvironmentVariable("ILGPUCNN_PLOT_DIR") is { Length: > 0 } keep ? Directory.CreateDirectory(keep).FullName : temp.Path;

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        int Be(int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
        return (Be(16), Be(20));
    }

    [Fact]
    public void TrainingCurvesPng()
    {
        using var temp = new TempDirectory();
        var dir = OutputFolder(temp);
        var path = Path.Combine(dir, "curves.png");
        TrainingCurvesPlot.Save(path, HistoryFilesTests.ReferenceHistory());
        Assert.Equal((1400, 520), PngSize(path));
        Assert.Empty(AtomicFileTests.Leftovers(dir));
    }

    [Fact]
    public void ConfusionMatrixPng()
    {
        using var temp = new TempDirectory();
        var dir = OutputFolder(temp);
        var path = Path.Combine(dir, "confusion_matrix.png");
        var (yTrue, yPred) = ReferenceConfusion.Labels();
        ConfusionMatrixPlot.Save(path, ConfusionMatrix.From(yTrue, yPred, 10), ReferenceConfusion.ClassNames);
        Assert.Equal((1020, 900), PngSize(path));
        Assert.Empty(AtomicFileTests.Leftovers(dir));
    }
}
