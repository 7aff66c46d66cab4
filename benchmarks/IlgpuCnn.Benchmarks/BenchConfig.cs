using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace IlgpuCnn.Benchmarks;

/// <summary>
/// Short in-process runs (the CPU accelerator is slow, and a generated project per run would cost
/// minutes of build on a small machine) with the GFLOP/s and GB/s columns.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1).WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(WorkColumn.GFlops, WorkColumn.GBytes);
    }
}
