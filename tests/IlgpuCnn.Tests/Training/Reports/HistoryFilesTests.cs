using System.Text.Json;
using IlgpuCnn.Tests.Training.Callbacks;
using IlgpuCnn.Training.Callbacks;
using IlgpuCnn.Training.Reports;

namespace IlgpuCnn.Tests.Training.Reports;

public sealed class HistoryFilesTests
{
    internal static History ReferenceHistory()
    {
        var reference = KerasReferenceHistory.Load();
        var history = new History();
        for (int e = 0; e < reference.Count; e++)
        {
            history.Record(EpochLogs.Create(reference.Accuracy[e], reference.Loss[e], reference.ValAccuracy[e], reference.ValLoss[e], reference.LearningRate[e]));
        }

        return history;
    }

    [Fact]
    public void CsvHasTheSpecColumnsAndOneBasedEpochs()
    {
        using var dir = new TempDirectory();
        var path = dir.File("history.csv");
        HistoryFiles.WriteCsv(path, ReferenceHistory());
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss,learning_rate", lines[0]);
        Assert.Equal(77, lines.Length);
        Assert.Equal("1,0.2936,1.9783,0.4165,1.7621,0.001", lines[1]);
        Assert.Equal("66,0.8552,0.4208,0.8659,0.4019,6.25E-05", lines[66]);
        Assert.Equal(["history.csv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void JsonIsKerasHistoryShapedAndReadsBack()
    {
        using var dir = new TempDirectory();
        var path = dir.File("history.json");
        var history = ReferenceHistory();
        history.Record(EpochLogs.Create(0.9, double.NaN, 0.8, 0.5, 1e-5));
        HistoryFiles.WriteJson(path, history);

        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            Assert.Equal(["accuracy", "loss", "val_accuracy", "val_loss", "learning_rate"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.All(doc.RootElement.EnumerateObject(), p => Assert.Equal(77, p.Value.GetArrayLength()));
            Assert.Equal(0.4019, doc.RootElement.GetProperty("val_loss")[65].GetDouble());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("loss")[76].ValueKind);
        }

        var back = ReadJson(path);
        Assert.Equal(history.Names, back.Names);
        Assert.Equal(history["val_loss"], back["val_loss"]);
        Assert.True(double.IsNaN(back["loss"][76]));
        Assert.Equal(history["loss"].Take(76), back["loss"].Take(76));
        Assert.All(back.Names, n => Assert.Equal(77, back[n].Count));
    }

    /// <summary>Reads a history.json back into a <see cref="History"/> (a null is NaN), as Keras' <c>json.load</c> would see it.</summary>
    private static History ReadJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var history = new History();
        history.Restore(doc.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, IReadOnlyList<double>>(
            p.Name, p.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToList())));
        return history;
    }
}
