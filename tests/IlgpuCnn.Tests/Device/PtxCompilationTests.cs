using System.Reflection;
using ILGPU;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Device;

/// <summary>
/// Every kernel of the library compiles to PTX for sm_80 without a GPU. Kernels are found by
/// reflection (<see cref="KernelAttribute"/>), and any static method that looks like an
/// implicitly grouped kernel (an ILGPU index first) but lacks the attribute fails the test, so a
/// new kernel cannot be forgotten.
/// </summary>
public sealed class PtxCompilationTests
{
    private static readonly Type[] IndexTypes = [typeof(Index1D), typeof(Index2D), typeof(Index3D), typeof(LongIndex1D)];

    public static IEnumerable<MethodInfo> AllStaticMethods() => KernelCatalog.AllStaticMethods();

    public static IEnumerable<MethodInfo> Kernels() => KernelCatalog.Kernels();

    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (var m in Kernels())
        {
            data.Add($"{m.DeclaringType!.FullName}.{m.Name}");
        }

        return data;
    }

    [Fact]
    public void KernelsAreFoundAndNoneIsUnmarked()
    {
        var kernels = Kernels().ToList();
        Assert.True(kernels.Count >= 25, $"expected at least 25 kernels, found {kernels.Count}");
        var unmarked = AllStaticMethods()
            .Where(m => m.GetCustomAttribute<KernelAttribute>() is null)
            .Where(m => m.GetParameters().Length > 0 && IndexTypes.Contains(m.GetParameters()[0].ParameterType))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();
        Assert.True(unmarked.Count == 0, "kernel-shaped methods without [Kernel]: " + string.Join(", ", unmarked));
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void CompilesToPtx(string name)
    {
        var method = Kernels().Single(m => $"{m.DeclaringType!.FullName}.{m.Name}" == name);
        string ptx = Compile(method);
        Assert.Contains(".entry", ptx);
        Assert.Contains(".target sm_", ptx);
    }

    /// <summary>PTX of one kernel, compiled as the CUDA accelerator would (see <see cref="KernelCatalog"/>).</summary>
    public static string Compile(MethodInfo method)
    {
        try
        {
            return KernelCatalog.CompilePtx(method);
        }
        catch (InvalidOperationException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message);
        }
    }
}
