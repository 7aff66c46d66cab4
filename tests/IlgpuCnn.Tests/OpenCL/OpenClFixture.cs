using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>
/// The OpenCL device (PoCL on a CPU-only machine, set up by <c>benchmarks/tools/fetch-pocl.sh</c>,
/// found through the run settings' <c>OCL_ICD_VENDORS</c>), as both <see cref="DeviceFixture.Device"/>
/// and <see cref="DeviceFixture.GpuShaped"/>: every kernel body is compiled and run for real. Without
/// one, every OpenCL test fails with one sentence naming the script; none is skipped.
/// </summary>
public sealed class OpenClFixture : DeviceFixture
{
    public OpenClFixture()
        : base(DeviceKind.OpenCL, Open)
    {
    }

    /// <summary>The sentence an OpenCL test fails with when the machine has no usable OpenCL device.</summary>
    public static string MissingMessage(string why) =>
        $"No OpenCL device for the OpenCL tests: {why} The README's test command runs {OpenClDevices.SetupScript} first, which builds PoCL 6.0 where the system's OpenCL is unusable.";

    private static ComputeDevice Open(DeviceKind kind, bool gpuShaped)
    {
        try
        {
            return ComputeDevice.Create(kind, gpuShaped);
        }
        catch (UserError e)
        {
            throw new InvalidOperationException(MissingMessage(e.Message), e);
        }
    }
}

/// <summary>The OpenCL tests share one <see cref="OpenClFixture"/> and run one after another (beside the CPU accelerator's collection).</summary>
[CollectionDefinition(Name)]
public sealed class OpenClCollection : ICollectionFixture<OpenClFixture>
{
    public const string Name = "opencl";
}
