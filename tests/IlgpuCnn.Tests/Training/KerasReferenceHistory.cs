using System.Globalization;

namespace IlgpuCnn.Tests.Training;

/// <summary>The Keras tutorial's per-epoch log (tests/IlgpuCnn.Tests/Reference/keras_history.csv, a copy of shared/reference), one row per 1-based epoch.</summary>
internal sealed record KerasReferenceHistory(
    int[] Epoch, double[] Accuracy, double[] Loss, double[] ValAccuracy, double[] ValLoss, double[] LearningRate)
{
    public int Count => Epoch.Length;

    public static KerasReferenceHistory Load()
    {
        var lines = File.ReadAllLines(RepoPaths.SharedReference("keras_history.csv"));
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"no column {name}");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
        double[] Doubles(string name) => rows.Select(r => double.Parse(r[Col(name)], CultureInfo.InvariantCulture)).ToArray();
        return new KerasReferenceHistory(
            rows.Select(r => int.Parse(r[Col("epoch")], CultureInfo.InvariantCulture)).ToArray(),
            Doubles("accuracy"), Doubles("loss"), Doubles("val_accuracy"), Doubles("val_loss"), Doubles("learning_rate"));
    }
}
