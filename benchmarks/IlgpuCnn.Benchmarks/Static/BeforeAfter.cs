using System.Globalization;
using System.Text;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// Before/after per launch: the launches recorded by <c>--record-before</c> (read back from the
/// kept block) beside this run's, matched by layer, pass and order within them (memsets apart), so a
/// renamed kernel or a launch added or removed shows as such.
/// </summary>
internal static class BeforeAfter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One recorded launch: its kernel, warps per scheduler and low / central / high microseconds.</summary>
    private sealed record Recorded(string Kernel, string WarpsPerScheduler, double Low, double Central, double High);

    public static void Write(StringBuilder sb, string before, List<ModelLaunch> step, Func<ModelLaunch, GpuEstimate.Breakdown> central, string commit)
    {
        var recorded = Parse(before);
        if (recorded.Count == 0)
        {
            return;
        }

        string beforeCommit = Commit(before);
        sb.AppendLine($"## Before / after per launch ({GpuEstimate.H100Sxm.Name}, central; before = `{beforeCommit}`, after = `{commit}`)").AppendLine();
        sb.AppendLine("| layer | pass | kernel before | us before | w/s before | kernel after | us after | w/s after | change |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |");
        var seen = new HashSet<string>();
        double sumBefore = 0, sumAfter = 0;
        foreach (var (key, l) in Keyed(step.Select(l => (l.Layer, l.Pass, l.IsMemSet, Item: l))))
        {
            seen.Add(key);
            var t = central(l);
            recorded.TryGetValue(key, out var r);
            sumBefore += r?.Central ?? 0;
            sumAfter += t.Total;
            string change = r is null ? "new" : string.Create(Inv, $"{(t.Total - r.Central) / r.Central:+0%;-0%;0%}");
            sb.AppendLine(string.Create(Inv, $"| {l.Layer} | {l.Pass} | {r?.Kernel ?? "—"} | {(r is null ? "—" : r.Central.ToString("F1", Inv))} | {r?.WarpsPerScheduler ?? "—"} | {l.Kernel} | {t.Total:F1} | {(l.IsMemSet ? "—" : t.WarpsPerScheduler.ToString(Inv))} | {change} |"));
        }

        foreach (var (key, r) in recorded.Where(kv => !seen.Contains(kv.Key)).Select(kv => (kv.Key, kv.Value)))
        {
            sumBefore += r.Central;
            sb.AppendLine(string.Create(Inv, $"| {key.Split('|')[0]} | {key.Split('|')[1]} | {r.Kernel} | {r.Central:F1} | {r.WarpsPerScheduler} | — | — | — | removed |"));
        }

        sb.AppendLine(string.Create(Inv, $"| **step** | | | **{sumBefore:F1}** | | | **{sumAfter:F1}** | | {(sumAfter - sumBefore) / sumBefore:+0%;-0%;0%} |"));
        sb.AppendLine();
    }

    /// <summary>"layer|pass|n" for the n-th kernel launch of an op ("layer|pass|memset n" for memsets).</summary>
    private static IEnumerable<(string Key, T Item)> Keyed<T>(IEnumerable<(string Layer, string Pass, bool MemSet, T Item)> launches)
    {
        var counts = new Dictionary<string, int>();
        foreach (var (layer, pass, memset, item) in launches)
        {
            string stem = $"{layer}|{pass}|{(memset ? "memset " : string.Empty)}";
            int n = counts.GetValueOrDefault(stem);
            counts[stem] = n + 1;
            yield return (stem + n.ToString(Inv), item);
        }
    }

    private static Dictionary<string, Recorded> Parse(string before)
    {
        var rows = new List<(string Layer, string Pass, bool MemSet, Recorded Item)>();
        foreach (var line in before.Split('\n').Select(x => x.Trim()))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length == 9 && double.TryParse(cells[6], NumberStyles.Float, Inv, out double central)
                && double.TryParse(cells[5], NumberStyles.Float, Inv, out double low) && double.TryParse(cells[7], NumberStyles.Float, Inv, out double high))
            {
                rows.Add((cells[1], cells[2], cells[3] == StepModel.MemSet, new Recorded(cells[3], cells[4], low, central, high)));
            }
        }

        return Keyed(rows).ToDictionary(r => r.Key, r => r.Item);
    }

    private static string Commit(string before)
    {
        int a = before.IndexOf("commit `", StringComparison.Ordinal);
        int b = a < 0 ? -1 : before.IndexOf('`', a + 8);
        return b > a ? before[(a + 8)..b] : "?";
    }
}
