using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
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

    public static IEnumerable<MethodInfo> AllStaticMethods() =>
        typeof(ComputeDevice).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));

    public static IEnumerable<MethodInfo> Kernels() => AllStaticMethods().Where(m => m.GetCustomAttribute<KernelAttribute>() is not null);

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

    /// <summary>PTX of one kernel (fresh Context per kernel: one failure must not poison the next).</summary>
    public static string Compile(MethodInfo method)
    {
        using var context = Context.Create(b => b.Optimize(OptimizationLevel.O1).EnableAlgorithms());
        var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
        var grouped = method.GetCustomAttribute<KernelAttribute>()!.Grouped;
        var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        try
        {
            var compiled = backend.Compile(entry, KernelSpecialization.Empty);
            return ((PTXCompiledKernel)compiled).PTXAssembly;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"kernel {method.DeclaringType!.Name}.{method.Name} does not compile to PTX: {e.GetType().Name}: {e.Message}");
        }
    }
}
