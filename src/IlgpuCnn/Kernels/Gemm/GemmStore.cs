using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>Stores one GEMM output element as its <see cref="GemmStoreMode"/> says (atomics NaN-safe: <see cref="FloatAtomic"/>).</summary>
internal static class GemmStore
{
    public static void Put(ArrayView<float> data, long i, float value, GemmStoreMode mode)
    {
        if (mode == GemmStoreMode.Write)
        {
            data[i] = value;
        }
        else if (mode == GemmStoreMode.Add)
        {
            data[i] += value;
        }
        else
        {
            FloatAtomic.Add(data, i, value);
        }
    }
}
