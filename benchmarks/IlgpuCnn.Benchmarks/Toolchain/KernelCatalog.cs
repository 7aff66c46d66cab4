using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using IlgpuCnn.Device;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>
/// Every <c>[Kernel]</c> of the library, found by reflection, and its PTX as the CUDA accelerator
/// would compile it (same optimisation level), produced without a GPU. Also compiled into the
/// test project.
/// </summary>
public static class KernelCatalog
{
    public static IEnumerable<MethodInfo> AllStaticMethods() =>
        typeof(ComputeDevice).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));

    public static IEnumerable<MethodInfo> Kernels() => AllStaticMethods().Where(m => m.GetCustomAttribute<KernelAttribute>() is not null);

    /// <summary>"Namespace.Type.Method", unique per kernel.</summary>
    public static string FullName(MethodInfo m) => $"{m.DeclaringType!.FullName}.{m.Name}";

    /// <summary>"Type.Method", for tables.</summary>
    public static string ShortName(MethodInfo m) => $"{m.DeclaringType!.Name}.{m.Name}";

    public static MethodInfo Find(string fullName) => Kernels().Single(m => FullName(m) == fullName);

    /// <summary>PTX of one kernel for sm_80 (fresh Context per kernel: one failure must not poison the next).</summary>
    public static string CompilePtx(MethodInfo method)
    {
        using var context = Context.Create(b => b.Optimize(ComputeDevice.Optimization).EnableAlgorithms());
        var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
        var grouped = method.GetCustomAttribute<KernelAttribute>()!.Grouped;
        var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        try
        {
            var compiled = backend.Compile(entry, KernelAttribute.SpecializationOf(method)); // as the kernel is loaded
            return ((PTXCompiledKernel)compiled).PTXAssembly;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"kernel {ShortName(method)} does not compile to PTX: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
