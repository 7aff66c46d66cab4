using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>Conv forward A: the implicit im2col of x. m = (n, oh, ow), k = (ci, kh, kw).</summary>
public struct ConvInputPatches : IGemmA
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private PatchRow _row;

    public ConvInputPatches(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _row = default;
    }

    public void BindRow(int m) => _row.Bind(m, _g);

    public readonly float A(int k) => _row.Read(_x, _g, k);
}
