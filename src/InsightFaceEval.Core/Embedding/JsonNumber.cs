using System;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Reads a JSON number the way Python's json module does (the nearest double, correctly rounded), so that the
    /// float32 the caller then rounds to matches numpy's np.asarray(feature, dtype=np.float32) bit for bit.
    /// </summary>
    public static class JsonNumber
    {
        // .NET Core 3.0 and later parse doubles with correct rounding. .NET Framework (Windows PowerShell 5.1) and the
        // System.Memory parser it gets can be one unit off for long inputs, which would change stored bytes.
        private static readonly bool RuntimeParsesExactly =
            !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        private static readonly double[] ExactPowersOfTen =
        {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        };

        private static readonly BigInteger[] BigPowersOfTen = BuildBigPowers();

        private const int MaxSignificantDigits = 800; // 767 decide any double; the rest only matter as a sticky bit
        private static readonly BigInteger TwoPow52 = BigInteger.One << 52;
        private static readonly BigInteger TwoPow53 = BigInteger.One << 53;

        /// <summary>The double nearest to the JSON number in <paramref name="utf8"/> (round half to even).</summary>
        public static double ToDouble(ReadOnlySpan<byte> utf8)
        {
            if (RuntimeParsesExactly && Utf8Parser.TryParse(utf8, out double value, out var consumed) && consumed == utf8.Length)
            {
                return value;
            }

            return ParseExact(utf8);
        }

        /// <summary>Correctly rounded decimal-to-double conversion that does not rely on the runtime's parser.</summary>
        internal static double ParseExact(ReadOnlySpan<byte> s)
        {
            var i = 0;
            var negative = false;
            if (i < s.Length && s[i] == (byte)'-') { negative = true; i++; }

            var digits = new char[Math.Min(s.Length, MaxSignificantDigits + 1)];
            var count = 0;
            var sticky = false;
            long exponent = 0;
            var sawDigit = false;
            var sawPoint = false;
            for (; i < s.Length; i++)
            {
                var c = s[i];
                if (c == (byte)'.')
                {
                    if (sawPoint) { throw Invalid(s); }
                    sawPoint = true;
                    continue;
                }

                if (c < (byte)'0' || c > (byte)'9') { break; }
                sawDigit = true;
                if (count == 0 && c == (byte)'0')
                {
                    if (sawPoint) { exponent--; }
                    continue;
                }

                if (count < MaxSignificantDigits)
                {
                    digits[count++] = (char)c;
                    if (sawPoint) { exponent--; }
                }
                else
                {
                    if (c != (byte)'0') { sticky = true; }
                    if (!sawPoint) { exponent++; }
                }
            }

            if (!sawDigit) { throw Invalid(s); }
            if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
            {
                i++;
                var expNegative = false;
                if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-')) { expNegative = s[i] == (byte)'-'; i++; }
                long e = 0;
                var expDigits = 0;
                for (; i < s.Length && s[i] >= (byte)'0' && s[i] <= (byte)'9'; i++)
                {
                    if (e < 100_000_000) { e = (e * 10) + (s[i] - (byte)'0'); }
                    expDigits++;
                }

                if (expDigits == 0) { throw Invalid(s); }
                exponent += expNegative ? -e : e;
            }

            if (i != s.Length) { throw Invalid(s); }
            if (sticky) { digits[count++] = '1'; exponent--; }

            double magnitude;
            if (count == 0) { magnitude = 0.0; }
            else if (count + exponent > 310) { magnitude = double.PositiveInfinity; }
            else if (count + exponent < -330) { magnitude = 0.0; }
            else if (count <= 15 && exponent >= -22 && exponent <= 22)
            {
                // Both operands are exact doubles, so the single rounding of one multiply or divide is correct.
                var m = (double)long.Parse(new string(digits, 0, count), NumberStyles.None, CultureInfo.InvariantCulture);
                magnitude = exponent >= 0 ? m * ExactPowersOfTen[exponent] : m / ExactPowersOfTen[-exponent];
            }
            else
            {
                magnitude = RatioToDouble(BigInteger.Parse(new string(digits, 0, count), NumberStyles.None, CultureInfo.InvariantCulture), (int)exponent);
            }

            return negative ? -magnitude : magnitude;
        }

        private static double RatioToDouble(BigInteger mantissa, int exponent10)
        {
            var numerator = exponent10 >= 0 ? mantissa * Pow10(exponent10) : mantissa;
            var denominator = exponent10 >= 0 ? BigInteger.One : Pow10(-exponent10);

            // Choose the binary exponent e so that q = floor(value / 2^e) has 53 bits (or fewer, for subnormals).
            var e = BitLength(numerator) - BitLength(denominator) - 53;
            BigInteger q, r, scaledDen;
            while (true)
            {
                if (e < -1074) { e = -1074; }
                var scaledNum = e < 0 ? numerator << -e : numerator;
                scaledDen = e > 0 ? denominator << e : denominator;
                q = BigInteger.DivRem(scaledNum, scaledDen, out r);
                if (q >= TwoPow53) { e++; continue; }
                if (q < TwoPow52 && e > -1074) { e--; continue; }
                break;
            }

            var twiceRemainder = r << 1;
            var cmp = twiceRemainder.CompareTo(scaledDen);
            if (cmp > 0 || (cmp == 0 && !q.IsEven)) { q += 1; }
            if (q == TwoPow53) { q >>= 1; e++; }

            var bits = (long)q;
            if (bits >= (1L << 52))
            {
                var biased = e + 52 + 1023;
                if (biased >= 2047) { return double.PositiveInfinity; }
                return BitConverter.Int64BitsToDouble(((long)biased << 52) | (bits & ((1L << 52) - 1)));
            }

            return BitConverter.Int64BitsToDouble(bits); // subnormal (e == -1074), or zero
        }

        private static BigInteger Pow10(int n) =>
            n < BigPowersOfTen.Length ? BigPowersOfTen[n] : BigInteger.Pow(10, n);

        private static int BitLength(BigInteger value)
        {
            var bytes = value.ToByteArray();
            var top = bytes.Length - 1;
            while (top > 0 && bytes[top] == 0) { top--; }
            var length = top * 8;
            for (int b = bytes[top]; b != 0; b >>= 1) { length++; }
            return length;
        }

        private static BigInteger[] BuildBigPowers()
        {
            var powers = new BigInteger[350];
            powers[0] = BigInteger.One;
            for (var i = 1; i < powers.Length; i++) { powers[i] = powers[i - 1] * 10; }
            return powers;
        }

        private static FormatException Invalid(ReadOnlySpan<byte> s) =>
            new FormatException("'" + System.Text.Encoding.UTF8.GetString(s.ToArray()) + "' is not a JSON number.");
    }
}
