using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace IlgpuCnn.Benchmarks;

/// <summary>Short runs (the CPU accelerator is slow) with the GFLOP/s and GB/s columns.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(WorkColumn.GFlops, WorkColumn.GBytes);
    }
}
