using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using IlgpuCnn.Data;

namespace IlgpuCnn.Tests.Data;

/// <summary>The augmentation kernels compile to PTX for sm_80 (no GPU needed), so the CUDA path is not first tried on a GPU machine.</summary>
public sealed class AugmentationPtxTests
{
    [Theory]
    [InlineData(nameof(Augmentation.RandomKernel))]
    [InlineData(nameof(Augmentation.GivenKernel))]
    public void KernelCompilesToPtx(string name)
    {
        var method = typeof(Augmentation).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic)!;
        using var context = Context.Create(builder => builder.Cuda());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);
        Assert.Contains(".entry", compiled.PTXAssembly);
        Assert.Contains("cvt.rmi.f32.f32", compiled.PTXAssembly); // MathF.Floor became a round-down
    }
}
