using IlgpuCnn.Tests.Kernels;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="ChannelCursor4Tests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class ChannelCursor4OpenClTests(OpenClFixture fx) : ChannelCursor4Tests(fx);
