using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace IlgpuCnn.Benchmarks;

/// <summary>A benchmark class that knows the arithmetic and memory traffic of each of its methods.</summary>
public interface IWork
{
    /// <summary>Floating-point operations and bytes moved by one call of <paramref name="method"/> (napkin math).</summary>
    (double Flops, double Bytes) Work(string method);
}

/// <summary>GFLOP/s or GB/s from a method's <see cref="IWork"/> figures and its mean time.</summary>
public sealed class WorkColumn : IColumn
{
    private readonly bool _flops;

    private WorkColumn(bool flops) => _flops = flops;

    public static readonly IColumn GFlops = new WorkColumn(true);
    public static readonly IColumn GBytes = new WorkColumn(false);

    public string Id => _flops ? "GFLOP/s" : "GB/s";

    public string ColumnName => Id;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => _flops ? 0 : 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => _flops ? "Billions of floating-point operations per second (napkin math)" : "Gigabytes moved per second (napkin math)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IWork work)
        {
            return "-";
        }

        foreach (var p in benchmarkCase.Parameters.Items)
        {
            var type = benchmarkCase.Descriptor.Type;
            type.GetField(p.Name)?.SetValue(work, p.Value);
            type.GetProperty(p.Name)?.SetValue(work, p.Value);
        }

        var (flops, bytes) = work.Work(benchmarkCase.Descriptor.WorkloadMethod.Name);
        double amount = _flops ? flops : bytes;
        return amount <= 0 ? "-" : (amount / stats.Mean).ToString("F2", CultureInfo.InvariantCulture); // per ns = G per s
    }
}
