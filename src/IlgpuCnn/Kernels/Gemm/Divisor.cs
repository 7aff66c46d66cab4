using System.Runtime.CompilerServices;
using Bits = ILGPU.IntrinsicMath.BitOperations;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Division by a divisor d fixed on the host, without a division in the kernel: q = ⌊n·magic / 2^shift⌋
/// with shift = 31 + ⌈log₂ d⌉ and magic = ⌈2^shift / d⌉ (Granlund–Montgomery), exact for every
/// 0 ≤ n &lt; 2³¹. A GPU divides a runtime 32-bit value in ~20 instructions (I2F.RP, MUFU.RCP, …);
/// this is one wide multiply and a shift. The host computes the magic (<see cref="MagicOf"/>, where
/// it may divide) and passes it with the launch; the kernel rebuilds the shift from d (a leading-zero count).
/// </summary>
public readonly struct Divisor
{
    private readonly uint _magic;
    private readonly int _shift;

    /// <summary>Division by <paramref name="value"/> (1 ≤ value &lt; 2³¹) with its <see cref="MagicOf"/>.</summary>
    public Divisor(int value, uint magic)
    {
        Value = value;
        _magic = magic;
        _shift = ShiftOf(value);
    }

    /// <summary>The divisor d.</summary>
    public int Value { get; }

    /// <summary>⌈2^shift / d⌉ (below 2³²), computed on the host for a divisor 1 ≤ d &lt; 2³¹.</summary>
    public static uint MagicOf(int value)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"a divisor must be positive, not {value}");
        }

        return (uint)((((UInt128)1 << ShiftOf(value)) + (ulong)value - 1) / (ulong)value);
    }

    /// <summary>⌊<paramref name="n"/> / d⌋ for 0 ≤ n &lt; 2³¹.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Divide(int n) => (int)(((ulong)(uint)n * _magic) >> _shift);

    /// <summary>n = q·d + r with 0 ≤ r &lt; d: returns q (r out), for 0 ≤ n &lt; 2³¹.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Split(int n, out int r)
    {
        int q = Divide(n);
        r = n - (q * Value);
        return q;
    }

    /// <summary>31 + ⌈log₂ d⌉.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShiftOf(int value) => 63 - Bits.LeadingZeroCount(value - 1);
}
