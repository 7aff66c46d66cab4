using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Stores one GEMM output element as its <see cref="GemmStoreMode"/> says, in two halves so a
/// thread can issue all its reads before its writes: <see cref="Addend"/> reads what the element
/// is stored on top of, <see cref="Put"/> stores it (atomics NaN-safe: <see cref="FloatAtomic"/>).
/// </summary>
internal static class GemmStore
{
    /// <summary>Write: <paramref name="bias"/> (0 without one); Add: the element's current value; AtomicAdd: 0 (no load).</summary>
    public static float Addend(ArrayView<float> data, long i, float bias, GemmStoreMode mode) =>
        mode == GemmStoreMode.Add ? data[i] : mode == GemmStoreMode.Write ? bias : 0f;

    /// <summary>Write and Add: data[i] = addend + value; AtomicAdd: data[i] += value atomically.</summary>
    public static void Put(ArrayView<float> data, long i, float value, float addend, GemmStoreMode mode)
    {
        if (mode == GemmStoreMode.AtomicAdd)
        {
            FloatAtomic.Add(data, i, value);
        }
        else
        {
            data[i] = addend + value;
        }
    }

    /// <summary><see cref="Put"/> with AtomicAdd at a known device address (<see cref="FloatAtomic.AddAt"/>: <paramref name="baseAddress"/> is data's first element's).</summary>
    public static void PutAt(ArrayView<float> data, long i, float value, float addend, GemmStoreMode mode, long baseAddress)
    {
        if (mode == GemmStoreMode.AtomicAdd)
        {
            FloatAtomic.AddAt(data, i, value, baseAddress + (i * sizeof(float)));
        }
        else
        {
            data[i] = addend + value;
        }
    }
}
