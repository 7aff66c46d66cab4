using IlgpuCnn.Tests.Data;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="AugmentationTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class AugmentationOpenClTests(OpenClFixture fx) : AugmentationTests(fx);
