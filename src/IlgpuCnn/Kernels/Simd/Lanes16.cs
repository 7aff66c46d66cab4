using System.Runtime.CompilerServices;
using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Sixteen consecutive channels of the <see cref="KernelBody.Simd"/> conv body: one float per
/// channel, which an OpenCL compiler for CPUs (PoCL's LLVM) turns into one 16-wide vector register.
/// Loads read 16 consecutive floats (one vector load); <see cref="Fma"/> multiplies every lane by
/// one scalar (a broadcast straight from memory) and adds.
/// </summary>
internal struct Lanes16
{
    public float L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14, L15;

    /// <summary>src[at .. at + 15].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Load(ArrayView<float> src, long at) => new()
    {
        L0 = src[at], L1 = src[at + 1], L2 = src[at + 2], L3 = src[at + 3], L4 = src[at + 4], L5 = src[at + 5], L6 = src[at + 6], L7 = src[at + 7],
        L8 = src[at + 8], L9 = src[at + 9], L10 = src[at + 10], L11 = src[at + 11], L12 = src[at + 12], L13 = src[at + 13], L14 = src[at + 14], L15 = src[at + 15],
    };

    /// <summary>this += a · v, lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fma(float a, in Lanes16 v)
    {
        L0 += a * v.L0; L1 += a * v.L1; L2 += a * v.L2; L3 += a * v.L3; L4 += a * v.L4; L5 += a * v.L5; L6 += a * v.L6; L7 += a * v.L7;
        L8 += a * v.L8; L9 += a * v.L9; L10 += a * v.L10; L11 += a * v.L11; L12 += a * v.L12; L13 += a * v.L13; L14 += a * v.L14; L15 += a * v.L15;
    }

    /// <summary>dst[at + j·stride] = lane j (<paramref name="add"/>: += instead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Store(ArrayView<float> dst, long at, long stride, bool add)
    {
        Put(dst, at, L0, add); Put(dst, at + stride, L1, add); Put(dst, at + (2 * stride), L2, add); Put(dst, at + (3 * stride), L3, add);
        Put(dst, at + (4 * stride), L4, add); Put(dst, at + (5 * stride), L5, add); Put(dst, at + (6 * stride), L6, add); Put(dst, at + (7 * stride), L7, add);
        Put(dst, at + (8 * stride), L8, add); Put(dst, at + (9 * stride), L9, add); Put(dst, at + (10 * stride), L10, add); Put(dst, at + (11 * stride), L11, add);
        Put(dst, at + (12 * stride), L12, add); Put(dst, at + (13 * stride), L13, add); Put(dst, at + (14 * stride), L14, add); Put(dst, at + (15 * stride), L15, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ArrayView<float> dst, long at, float value, bool add) => dst[at] = add ? dst[at] + value : value;
}
