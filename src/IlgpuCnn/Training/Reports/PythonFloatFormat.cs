using System.Globalization;
using System.Numerics;

namespace IlgpuCnn.Training.Reports;

/// <summary>
/// Python's <c>format(x, '.{digits}f')</c>: the exact binary value rounded half-to-even (.NET's
/// "F2" rounds exact ties such as 0.125 away from zero, Python gives 0.12).
/// </summary>
internal static class PythonFloatFormat
{
    public static string Fixed(double value, int digits)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        bool negative = double.IsNegative(value);
        BigInteger rounded = ScaledRoundHalfEven(Math.Abs(value), digits);
        string text = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        if (digits > 0)
        {
            text = text[..^digits] + "." + text[^digits..];
        }

        return negative ? "-" + text : text;
    }

    /// <summary>value·10^digits rounded half-to-even, computed exactly from the double's bits (value = mantissa·2^exponent).</summary>
    private static BigInteger ScaledRoundHalfEven(double value, int digits)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075;
        BigInteger scaled = mantissa * BigInteger.Pow(10, digits);
        if (exponent >= 0)
        {
            return scaled << exponent;
        }

        BigInteger divisor = BigInteger.One << -exponent;
        BigInteger rounded = BigInteger.DivRem(scaled, divisor, out var remainder);
        int cmp = (remainder * 2).CompareTo(divisor);
        return cmp > 0 || (cmp == 0 && !rounded.IsEven) ? rounded + 1 : rounded;
    }
}
