using IlgpuCnn.Tests.Data;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>Every test of <see cref="DeviceDatasetTests"/>, on the OpenCL device: the same bodies compiled by a real OpenCL compiler.</summary>
[Collection(OpenClCollection.Name)]
public sealed class DeviceDatasetOpenClTests(OpenClFixture fx) : DeviceDatasetTests(fx);
