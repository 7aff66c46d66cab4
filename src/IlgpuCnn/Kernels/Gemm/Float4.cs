namespace IlgpuCnn.Kernels;

/// <summary>Four floats in one 16-byte value: read from shared memory as one <c>ld.shared.v4.f32</c> (SASS <c>LDS.128</c>).</summary>
public struct Float4
{
    public float X;
    public float Y;
    public float Z;
    public float W;
}
