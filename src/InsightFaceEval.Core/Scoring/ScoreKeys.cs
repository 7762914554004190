using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Scoring
{
    /// <summary>
    /// Order-preserving 32-bit keys of float scores: a &lt; b exactly when Key(a) &lt; Key(b). Counting on keys
    /// is counting on the exact float values, which is what keeps the streamed metrics equal to a full sort.
    /// </summary>
    public static class ScoreKeys
    {
        /// <summary>Keys per coarse bucket (the low 16 bits).</summary>
        public const int BucketShift = 16;

        public const int BucketCount = 1 << (32 - BucketShift);

        /// <summary>The key of -1, the lowest score (where system-level metrics put failures).</summary>
        public static readonly uint MinusOne = Key(-1f);

        /// <summary>The key just above 1: a threshold that rejects every possible cosine.</summary>
        public static readonly uint AboveOne = Key(1f) + 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe uint Key(float score)
        {
            // -0 and +0 compare equal, so they must share a key.
            if (score == 0f) { score = 0f; }
            uint bits = *(uint*)&score;
            return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe float Value(uint key)
        {
            uint bits = (key & 0x80000000u) != 0 ? key & 0x7FFFFFFFu : ~key;
            return *(float*)&bits;
        }

        /// <summary>The smallest key whose float is &gt;= <paramref name="threshold"/>: "score &gt;= t" for a double t.</summary>
        public static uint CeilingKey(double threshold)
        {
            if (double.IsNaN(threshold)) { throw new ArgumentException("The threshold is NaN.", nameof(threshold)); }
            if (threshold <= -1) { return MinusOne; }
            if (threshold > 1) { return AboveOne; }
            var f = (float)threshold;
            var key = Key(f);
            return f < threshold ? key + 1 : key;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Bucket(uint key) => (int)(key >> BucketShift);

        public static uint BucketStart(int bucket) => (uint)bucket << BucketShift;
    }
}
