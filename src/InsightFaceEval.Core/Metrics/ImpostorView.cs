using System;
using System.Collections.Generic;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Exact queries on one pair set's impostor scores (subset 0 alone, or both subsets; plus, at system level,
    /// failures at -1). A query that needs an unresolved bucket returns null and records it in the accumulator's Needs.
    /// </summary>
    public sealed class ImpostorView
    {
        private readonly ImpostorAccumulator acc;
        private readonly bool both;
        private readonly long pointMass;
        private readonly long[] bucketTotal;
        private readonly long[] suffix;
        private readonly long[][] atLeast;
        private readonly long[][] equal;
        private readonly Dictionary<int, long[]> fineSuffix = new Dictionary<int, long[]>();
        private readonly uint tailCut;

        internal ImpostorView(ImpostorAccumulator acc, bool includeOtherSubset, long[] pointMassPerFold)
        {
            this.acc = acc;
            both = includeOtherSubset;
            int folds = acc.Folds;
            int buckets = ScoreKeys.BucketCount;
            FoldCount = new long[folds];
            bucketTotal = new long[buckets];
            int minusOneBucket = ScoreKeys.Bucket(ScoreKeys.MinusOne);
            if (pointMassPerFold != null)
            {
                for (int f = 0; f < folds; f++) { pointMass += pointMassPerFold[f]; FoldCount[f] += pointMassPerFold[f]; }
            }

            bucketTotal[minusOneBucket] += pointMass;
            int anchorCount = acc.Anchors.Length;
            int minusOneAnchor = Array.BinarySearch(acc.Anchors, ScoreKeys.MinusOne);
            if (minusOneAnchor < 0) { throw new InvalidOperationException("-1 must be an anchor."); }
            atLeast = new long[folds + 1][];
            equal = new long[folds + 1][];
            for (int f = 0; f <= folds; f++)
            {
                atLeast[f] = new long[anchorCount];
                equal[f] = new long[anchorCount];
            }

            var foldSuffix = new long[buckets + 1];
            for (int f = 0; f < folds; f++)
            {
                for (int s = 0; s < (both ? 2 : 1); s++)
                {
                    int unit = s * folds + f;
                    int coarseOffset = unit * buckets;
                    int slotOffset = unit * acc.SlotCount;
                    foldSuffix[buckets] = 0;
                    for (int b = buckets - 1; b >= 0; b--)
                    {
                        long c = acc.Coarse[coarseOffset + b];
                        foldSuffix[b] = foldSuffix[b + 1] + c;
                        bucketTotal[b] += c;
                    }

                    FoldCount[f] += foldSuffix[0];
                    for (int b = 0; b < buckets; b++)
                    {
                        int lo = acc.AnchorStart[b], hi = acc.AnchorStart[b + 1];
                        long below = 0;
                        for (int p = lo; p < hi; p++)
                        {
                            below += acc.Slots[slotOffset + 2 * p];
                            long eq = acc.Slots[slotOffset + 2 * p + 1];
                            atLeast[f][p] += foldSuffix[b] - below;
                            equal[f][p] += eq;
                            below += eq;
                        }
                    }
                }

                if (pointMassPerFold != null)
                {
                    atLeast[f][minusOneAnchor] += pointMassPerFold[f];
                    equal[f][minusOneAnchor] += pointMassPerFold[f];
                }

                for (int p = 0; p < anchorCount; p++)
                {
                    atLeast[folds][p] += atLeast[f][p];
                    equal[folds][p] += equal[f][p];
                }
            }

            suffix = new long[buckets + 1];
            for (int b = buckets - 1; b >= 0; b--) { suffix[b] = suffix[b + 1] + bucketTotal[b]; }
            Count = suffix[0];

            // Sums in work-unit order: the same totals whatever the thread timing.
            var partials = acc.Partials;
            double sum = 0, squares = 0, c1 = 0, c2 = 0;
            if (partials != null)
            {
                for (int u = 0; u + 3 < partials.Length; u += 4)
                {
                    Neumaier(ref sum, ref c1, partials[u]);
                    Neumaier(ref squares, ref c2, partials[u + 1]);
                    if (both)
                    {
                        Neumaier(ref sum, ref c1, partials[u + 2]);
                        Neumaier(ref squares, ref c2, partials[u + 3]);
                    }
                }
            }

            Sum = sum + c1 - pointMass;
            SumOfSquares = squares + c2 + pointMass;
            float min = acc.Min[0], max = acc.Max[0];
            if (both)
            {
                min = Math.Min(min, acc.Min[1]);
                max = Math.Max(max, acc.Max[1]);
            }

            if (pointMass > 0)
            {
                min = -1f;
                max = Math.Max(max, -1f);
            }

            Minimum = min;
            Maximum = max;

            tailCut = acc.Tail.Cut;
            var tail = acc.TailOf(both);
            TailKeys = tail.Keys;
            TailOrdinals = tail.Ordinals;
            if (pointMass > 0 && ScoreKeys.MinusOne > tailCut)
            {
                // The tail reaches the bottom: the failures at -1 belong in it too (without pair ordinals).
                var keys = new uint[TailKeys.Length + pointMass];
                var ordinals = new int[keys.Length];
                Array.Copy(TailKeys, keys, TailKeys.Length);
                Array.Copy(TailOrdinals, ordinals, TailOrdinals.Length);
                for (long i = TailKeys.Length; i < keys.Length; i++)
                {
                    keys[i] = ScoreKeys.MinusOne;
                    ordinals[i] = -1;
                }

                TailKeys = keys;
                TailOrdinals = ordinals;
            }
        }

        public long Count { get; }

        public long[] FoldCount { get; }

        public double Sum { get; }

        public double SumOfSquares { get; }

        public float Minimum { get; }

        public float Maximum { get; }

        public uint[] Anchors => acc.Anchors;

        /// <summary>Every impostor key above <see cref="TailCut"/>, highest first.</summary>
        public uint[] TailKeys { get; }

        /// <summary>Pair ordinal of each tail key (-1 when unknown).</summary>
        public int[] TailOrdinals { get; }

        public uint TailCut => tailCut;

        /// <summary>Impostors with key &gt;= anchor p, in fold f (or all folds when f is -1).</summary>
        public long AtLeastAnchor(int p, int fold = -1) => atLeast[fold < 0 ? acc.Folds : fold][p];

        public long EqualAnchor(int p, int fold = -1) => equal[fold < 0 ? acc.Folds : fold][p];

        public int AnchorIndex(uint key) => Array.BinarySearch(acc.Anchors, key);

        /// <summary>Impostors with score key &gt;= <paramref name="key"/>; null when unresolved.</summary>
        public long? CountAtLeast(uint key)
        {
            if (key <= ScoreKeys.MinusOne) { return Count; }
            if (key >= ScoreKeys.AboveOne) { return 0; }
            int p = AnchorIndex(key);
            if (p >= 0) { return atLeast[acc.Folds][p]; }
            int b = ScoreKeys.Bucket(key);
            if ((key & 0xFFFF) == 0) { return suffix[b]; }
            if (key > tailCut) { return TailCountAbove(key - 1); }
            if (bucketTotal[b] == 0) { return suffix[b + 1]; }
            var fine = FineSuffix(b);
            if (fine != null) { return suffix[b + 1] + fine[key & 0xFFFF]; }
            acc.Needs.Add(b);
            return null;
        }

        /// <summary>The r-th highest impostor key (1-based); null when unresolved.</summary>
        public uint? KeyAtRank(long r)
        {
            if (r < 1 || r > Count) { throw new ArgumentOutOfRangeException(nameof(r)); }
            if (r <= TailKeys.Length) { return TailKeys[r - 1]; }
            int lo = 0, hi = ScoreKeys.BucketCount - 1;
            while (lo < hi)
            {
                // Highest bucket b with suffix[b] >= r.
                int mid = (lo + hi + 1) >> 1;
                if (suffix[mid] >= r) { lo = mid; } else { hi = mid - 1; }
            }

            int b = lo;
            var fine = FineSuffix(b);
            if (fine == null)
            {
                acc.Needs.Add(b);
                return null;
            }

            long above = suffix[b + 1];
            for (int low = 0xFFFF; low >= 0; low--)
            {
                if (above + fine[low] >= r) { return ScoreKeys.BucketStart(b) + (uint)low; }
            }

            throw new InvalidOperationException("Bucket counts disagree.");
        }

        /// <summary>The smallest impostor key above <paramref name="key"/>: false when unresolved; <paramref name="next"/> is null when there is none.</summary>
        public bool TryNextKeyAbove(uint key, out uint? next)
        {
            next = null;
            if (key >= tailCut && TailKeys.Length > 0 || key >= tailCut)
            {
                for (int i = TailKeys.Length - 1; i >= 0; i--)
                {
                    if (TailKeys[i] > key) { next = TailKeys[i]; return true; }
                }

                return true;
            }

            int b = ScoreKeys.Bucket(key);
            if (bucketTotal[b] > 0)
            {
                var fine = FineSuffix(b);
                if (fine == null)
                {
                    acc.Needs.Add(b);
                    return false;
                }

                for (uint low = (key & 0xFFFF) + 1; low <= 0xFFFF; low++)
                {
                    if (fine[low] != fine[low + 1]) { next = ScoreKeys.BucketStart(b) + low; return true; }
                }
            }

            int b2 = b + 1;
            while (b2 < ScoreKeys.BucketCount && bucketTotal[b2] == 0) { b2++; }
            if (b2 >= ScoreKeys.BucketCount) { return true; }
            if (ScoreKeys.BucketStart(b2) > tailCut)
            {
                for (int i = TailKeys.Length - 1; i >= 0; i--)
                {
                    if (TailKeys[i] > key) { next = TailKeys[i]; return true; }
                }
            }

            var fine2 = FineSuffix(b2);
            if (fine2 == null)
            {
                acc.Needs.Add(b2);
                return false;
            }

            for (int low = 0; low <= 0xFFFF; low++)
            {
                if (fine2[low] != fine2[low + 1]) { next = ScoreKeys.BucketStart(b2) + (uint)low; return true; }
            }

            throw new InvalidOperationException("Bucket counts disagree.");
        }

        /// <summary>Exact counts at every key-bucket boundary: (bucket start key, impostors &gt;= it) for non-empty buckets, for the ROC.</summary>
        public IEnumerable<KeyValuePair<uint, long>> BucketBoundaries()
        {
            for (int b = 0; b < ScoreKeys.BucketCount; b++)
            {
                if (bucketTotal[b] > 0) { yield return new KeyValuePair<uint, long>(ScoreKeys.BucketStart(b), suffix[b]); }
            }
        }

        private long TailCountAbove(uint key)
        {
            // TailKeys descending: count those > key.
            int lo = 0, hi = TailKeys.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (TailKeys[mid] > key) { lo = mid + 1; } else { hi = mid; }
            }

            return lo;
        }

        /// <summary>fine[low] = impostors of bucket b with low 16 bits &gt;= low; fine[65536] = 0. Null when b is unresolved.</summary>
        private long[] FineSuffix(int b)
        {
            if (fineSuffix.TryGetValue(b, out var cached)) { return cached; }
            if (!acc.Fine.TryGetValue(b, out var counts)) { return null; }
            var result = new long[ImpostorAccumulator.BucketKeys + 1];
            int minusOneBucket = ScoreKeys.Bucket(ScoreKeys.MinusOne);
            for (int low = ImpostorAccumulator.BucketKeys - 1; low >= 0; low--)
            {
                long c = counts[low];
                if (both) { c += counts[ImpostorAccumulator.BucketKeys + low]; }
                if (b == minusOneBucket && low == (int)(ScoreKeys.MinusOne & 0xFFFF)) { c += pointMass; }
                result[low] = result[low + 1] + c;
            }

            fineSuffix[b] = result;
            return result;
        }

        private static void Neumaier(ref double sum, ref double compensation, double value)
        {
            double t = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - t) + value : (value - t) + sum;
            sum = t;
        }
    }
}
