using System.Reflection;
using ILGPU.Runtime.CPU;
using IlgpuCnn.Device;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>
/// Counts kernel launches on ILGPU's CPU accelerator: every launch ends with one phase of the
/// accelerator's private completion barrier (<c>finishedEventPerMultiprocessor</c>, ILGPU 1.5.3),
/// so its phase number is the number of launches so far. A test pins this to one per launch.
/// </summary>
public static class CpuLaunchCounter
{
    /// <summary>A function returning the launches completed so far (it synchronises first).</summary>
    public static Func<long> For(ComputeDevice device)
    {
        if (device.Accelerator is not CPUAccelerator cpu)
        {
            throw new InvalidOperationException("launches can only be counted on the CPU accelerator");
        }

        var field = typeof(CPUAccelerator).GetField("finishedEventPerMultiprocessor", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("ILGPU's CPUAccelerator has no 'finishedEventPerMultiprocessor' field (ILGPU version changed?); the launch counter needs updating.");
        var barrier = (Barrier)(field.GetValue(cpu) ?? throw new InvalidOperationException("the CPU accelerator has no launch barrier"));
        return () =>
        {
            device.Synchronize();
            return barrier.CurrentPhaseNumber;
        };
    }
}
