using IlgpuCnn.Tests.Kernels;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="DenseKernelsTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class DenseKernelsOpenClTests(OpenClFixture fx) : DenseKernelsTests(fx);
