using IlgpuCnn.Tests.Kernels;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="BatchNormKernelsTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class BatchNormKernelsOpenClTests(OpenClFixture fx) : BatchNormKernelsTests(fx);
