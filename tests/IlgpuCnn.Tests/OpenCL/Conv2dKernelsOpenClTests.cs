using IlgpuCnn.Tests.Kernels;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="Conv2dKernelsTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class Conv2dKernelsOpenClTests(OpenClFixture fx) : Conv2dKernelsTests(fx);
