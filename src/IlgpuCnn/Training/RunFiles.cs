namespace IlgpuCnn.Training;

/// <summary>The files of one run folder (SPEC.md's list).</summary>
public static class RunFiles
{
    public const string Config = "config.json";
    public const string HistoryCsv = "history.csv";
    public const string HistoryJson = "history.json";
    public const string Curves = "curves.png";
    public const string ConfusionMatrix = "confusion_matrix.png";
    public const string Report = "classification_report.txt";
    public const string Augmentation = "augmentation.png";
    public const string Model = "model.safetensors";
    public const string Onnx = "model.onnx";
    public const string Checkpoint = "checkpoint.safetensors";
    public const string Metrics = "metrics.json";

    public static readonly string[] All = [Config, HistoryCsv, HistoryJson, Curves, ConfusionMatrix, Report, Augmentation, Model, Onnx, Checkpoint, Metrics];

    /// <summary>runs/&lt;UTC timestamp&gt; under the current directory.</summary>
    public static string DefaultDirectory() => Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
}
