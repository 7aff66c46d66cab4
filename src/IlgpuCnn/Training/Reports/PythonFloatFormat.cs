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
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075; // value = mantissa · 2^exponent

        BigInteger scaled = mantissa * BigInteger.Pow(10, digits);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = scaled << exponent;
        }
        else
        {
            BigInteger divisor = BigInteger.One << -exponent;
            rounded = BigInteger.DivRem(scaled, divisor, out var remainder);
            int cmp = (remainder * 2).CompareTo(divisor);
            if (cmp > 0 || (cmp == 0 && !rounded.IsEven))
            {
                rounded += 1;
            }
        }

        string text = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        if (digits > 0)
        {
            text = text[..^digits] + "." + text[^digits..];
        }

        return negative ? "-" + text : text;
    }
}
