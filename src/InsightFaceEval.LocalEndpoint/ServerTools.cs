using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>A token bucket: <c>rate</c> tokens per second, at most <c>burst</c> saved up.</summary>
    public sealed class TokenBucket
    {
        private readonly object _gate = new object();
        private readonly double _rate;
        private readonly double _capacity;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _tokens;
        private double _last;

        public TokenBucket(double ratePerSecond, int burst)
        {
            _rate = ratePerSecond;
            _capacity = Math.Max(1, burst);
            _tokens = _capacity;
        }

        /// <summary>Takes a token, or says how long until one is free.</summary>
        public bool TryTake(out TimeSpan wait)
        {
            lock (_gate)
            {
                var now = _clock.Elapsed.TotalSeconds;
                _tokens = Math.Min(_capacity, _tokens + ((now - _last) * _rate));
                _last = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    wait = TimeSpan.Zero;
                    return true;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / _rate);
                return false;
            }
        }
    }

    /// <summary>
    /// Decides faults from (seed, image hash, model, attempt number) alone, so a test sees the same faults on every
    /// run whatever order concurrent requests arrive in.
    /// </summary>
    public sealed class FaultPlan
    {
        private readonly double _rate;
        private readonly IReadOnlyList<string> _kinds;
        private readonly byte[] _seed;

        public FaultPlan(double rate, IReadOnlyList<string> kinds, int seed)
        {
            _rate = rate;
            _kinds = kinds;
            _seed = BitConverter.GetBytes(seed);
        }

        /// <summary>The fault for this attempt, or null.</summary>
        public string Draw(string sha256, string model, int attempt)
        {
            if (_rate <= 0 || _kinds.Count == 0) { return null; }
            var text = Encoding.UTF8.GetBytes($"{sha256}\n{model}\n{attempt.ToString(CultureInfo.InvariantCulture)}");
            var input = new byte[_seed.Length + text.Length];
            _seed.CopyTo(input, 0);
            text.CopyTo(input, _seed.Length);
            var hash = SHA256.HashData(input);
            var draw = BinaryPrimitives.ReadUInt64LittleEndian(hash) / 18446744073709551616.0;
            if (draw >= _rate) { return null; }
            return _kinds[(int)(BinaryPrimitives.ReadUInt32LittleEndian(hash.AsSpan(8)) % (uint)_kinds.Count)];
        }
    }

    /// <summary>Writes feature values as JSON numbers.</summary>
    public static class FeatureNumbers
    {
        /// <summary>The shortest text that reads back as the same double, as Python's json writes floats.</summary>
        public static string Shortest(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>
        /// A number a hair past the midpoint between the float32 nearest <paramref name="value"/> and its neighbour
        /// further from zero. Read as a double (Python, numpy, InsightFaceEval) it is exactly the midpoint, and rounding
        /// that to float32 picks the even neighbour; a client that rounds the text straight to float32 picks the outer
        /// one about half the time. So stored bytes tell the two methods apart.
        /// </summary>
        public static string NearTie(double value)
        {
            var f = (float)value;
            if (float.IsInfinity(f) || float.IsNaN(f)) { return Shortest(value); }
            var magnitude = MathF.Abs(f);
            var outer = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(magnitude) + 1);
            var midpoint = ((double)magnitude + outer) / 2; // exact: 25 significant bits fit a double
            var text = ExactDecimal(midpoint) + "0000001";
            return (value < 0 ? "-" : string.Empty) + text;
        }

        private static string ExactDecimal(double positive)
        {
            var bits = BitConverter.DoubleToInt64Bits(positive);
            var exponent = (int)((bits >> 52) & 0x7FF);
            var mantissa = bits & ((1L << 52) - 1);
            if (exponent == 0) { exponent = 1; } else { mantissa |= 1L << 52; }
            var power = exponent - 1075;
            if (power >= 0)
            {
                return (new BigInteger(mantissa) << power).ToString(CultureInfo.InvariantCulture) + ".";
            }

            var digits = (new BigInteger(mantissa) * BigInteger.Pow(5, -power)).ToString(CultureInfo.InvariantCulture);
            var scale = -power;
            if (digits.Length <= scale) { digits = new string('0', scale - digits.Length + 1) + digits; }
            return digits[..^scale] + "." + digits[^scale..];
        }
    }
}
