using System.Globalization;
using System.Text;
using System.Text.Json;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// A run's <c>history.csv</c> (<c>epoch,accuracy,loss,val_accuracy,val_loss,learning_rate</c>, epoch
/// 1-based, values round-trippable) and <c>history.json</c> (Keras' <c>History.history</c>: one list
/// per metric, one entry per epoch; a non-finite value is written as null), both written atomically.
/// </summary>
public static class HistoryFiles
{
    /// <summary>The CSV's metric columns after <c>epoch</c>.</summary>
    public static IReadOnlyList<string> CsvColumns { get; } =
        [EpochLogs.Accuracy, EpochLogs.Loss, EpochLogs.ValAccuracy, EpochLogs.ValLoss, EpochLogs.LearningRate];

    /// <summary>Writes history.csv; a metric missing for an epoch leaves its cell empty.</summary>
    public static void WriteCsv(string path, History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        int epochs = history.Names.Count == 0 ? 0 : history.Names.Max(n => history[n].Count);
        var sb = new StringBuilder("epoch,").Append(string.Join(',', CsvColumns)).Append('\n');
        for (int e = 0; e < epochs; e++)
        {
            sb.Append((e + 1).ToString(CultureInfo.InvariantCulture));
            foreach (var column in CsvColumns)
            {
                sb.Append(',');
                var values = history[column];
                if (e < values.Count)
                {
                    sb.Append(values[e].ToString("R", CultureInfo.InvariantCulture));
                }
            }

            sb.Append('\n');
        }

        AtomicFile.WriteText(path, sb.ToString());
    }

    /// <summary>Writes history.json with every metric of <paramref name="history"/>, in its order.</summary>
    public static void WriteJson(string path, History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var name in history.Names)
            {
                w.WriteStartArray(name);
                foreach (double v in history[name])
                {
                    if (double.IsFinite(v))
                    {
                        w.WriteNumberValue(v);
                    }
                    else
                    {
                        w.WriteNullValue();
                    }
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        AtomicFile.WriteText(path, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }
}
