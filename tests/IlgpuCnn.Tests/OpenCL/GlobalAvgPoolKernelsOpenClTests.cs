using IlgpuCnn.Tests.Kernels;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="GlobalAvgPoolKernelsTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class GlobalAvgPoolKernelsOpenClTests(OpenClFixture fx) : GlobalAvgPoolKernelsTests(fx);
