using IlgpuCnn.Tests.Layers;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="GradientCheckTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class GradientCheckOpenClTests(OpenClFixture fx) : GradientCheckTests(fx);
