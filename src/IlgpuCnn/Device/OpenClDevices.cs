using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime.OpenCL;

namespace IlgpuCnn.Device;

/// <summary>
/// The OpenCL devices the ICD loader shows, whether ILGPU's OpenCL backend can use each (OpenCL C
/// 2.0 and the generic address space its code declares pointers in) and, when none can, the one
/// sentence that says what is missing and how to get it.
/// </summary>
public static class OpenClDevices
{
    /// <summary>The library ILGPU 1.5.3 loads for OpenCL (the ICD loader's development symlink).</summary>
    public const string Loader = "libOpenCL.so";

    /// <summary>The script that builds PoCL 6.0 into the user cache where the distribution's OpenCL is unusable.</summary>
    public const string SetupScript = "benchmarks/tools/fetch-pocl.sh";

    /// <summary>What a user does to get a usable OpenCL CPU device (PoCL ≥ 4) on this machine.</summary>
    public const string SetupHint = $"run {SetupScript} (it builds PoCL 6.0 into ~/.cache/ilgpucnn/pocl-6.0) and export OCL_ICD_VENDORS=~/.cache/ilgpucnn/opencl-vendors, or install a GPU driver's OpenCL";

    /// <summary>Null when ILGPU can run on <paramref name="device"/>, else why not (e.g. "no generic address space: PoCL older than 4").</summary>
    public static string? Rejection(CLDevice device)
    {
        if (device.CLStdVersion < CLBackend.MinimumVersion)
        {
            return $"OpenCL C {device.CLStdVersion} is older than the {CLBackend.MinimumVersion} ILGPU needs";
        }

        if (!device.Capabilities.GenericAddressSpace)
        {
            return device.PlatformName.Contains("Portable Computing Language", StringComparison.OrdinalIgnoreCase)
                ? "no generic address space: PoCL older than 4"
                : "no generic address space (ILGPU's OpenCL C needs it)";
        }

        return null;
    }

    /// <summary>True when ILGPU can run on <paramref name="device"/> (the context filter).</summary>
    public static bool Accepts(CLDevice device) => Rejection(device) is null;

    /// <summary>True when the ICD loader <see cref="Loader"/> can be loaded.</summary>
    public static bool LoaderPresent()
    {
        if (!NativeLibrary.TryLoad(Loader, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    /// <summary>Every OpenCL device the loader shows, usable or not, with <see cref="Rejection"/>'s verdict.</summary>
    public static IReadOnlyList<(CLDevice Device, string? Rejection)> All(Context context)
    {
        var all = new List<(CLDevice Device, string? Rejection)>();
        foreach (var device in context.GetCLDevices())
        {
            all.Add((device, Rejection(device)));
        }

        return all;
    }

    /// <summary>The OpenCL devices of <paramref name="context"/> that ILGPU can use.</summary>
    public static IReadOnlyList<CLDevice> Usable(Context context) =>
        All(context).Where(a => a.Rejection is null).Select(a => a.Device).ToList();

    /// <summary>"OpenCL GPU" or "OpenCL CPU", the platform and the device's OpenCL version.</summary>
    public static string Describe(CLDevice device) =>
        $"OpenCL {(device.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU) ? "GPU" : "CPU")}, {device.PlatformName}, {device.DeviceVersion}";

    /// <summary>Creates a context that sees every OpenCL device (for listing and for explaining a refusal).</summary>
    public static Context ListingContext() => Context.Create(builder => builder.OpenCL(_ => true));

    /// <summary>The one sentence for <c>--device opencl</c> when no device is usable: the loader, a driver or a PoCL too old.</summary>
    public static string WhyNone()
    {
        if (!LoaderPresent())
        {
            return $"--device opencl was asked for but the OpenCL ICD loader {Loader} is missing (on Debian/Ubuntu: apt-get install ocl-icd-opencl-dev); then, if no driver provides a device, {SetupHint}.";
        }

        using var context = ListingContext();
        var all = All(context);
        if (all.Count == 0)
        {
            return $"--device opencl was asked for but {Loader} shows no OpenCL device (no driver or PoCL installed, or OCL_ICD_VENDORS names an empty folder); {SetupHint}.";
        }

        var reasons = string.Join("; ", all.Select(a => $"{a.Device.Name} ({Describe(a.Device)}): {a.Rejection}"));
        return $"--device opencl was asked for but ILGPU can use none of the OpenCL devices here ({reasons}); {SetupHint}.";
    }
}
