using System;
using System.Globalization;
using System.Linq;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>
    /// Shard k of N (1-based, as "k/N"): which part of a model's pair space one run scores. The pair space is cut into
    /// the scorer's own work units (64x64 tiles of the upper triangle for all pairs, of probes x gallery for
    /// gallery/probe, chunks of 8,192 pairs of a pair list) and shard k gets a contiguous run of units holding about
    /// 1/N of the pairs. Every shard scores the genuine pairs (there are few; their scores fix the counting anchors)
    /// and stores the k-th slice of them.
    /// </summary>
    public sealed class ShardSpec
    {
        /// <summary>More shards than this is a mistake in the number, not a plan.</summary>
        public const int MaximumCount = 1 << 16;

        public ShardSpec(int index, int count)
        {
            if (count < 1 || count > MaximumCount) { throw new ArgumentOutOfRangeException(nameof(count), count, $"The shard count must lie between 1 and {MaximumCount}."); }
            if (index < 1 || index > count) { throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard number must lie between 1 and the shard count ({count})."); }
            Index = index;
            Count = count;
        }

        /// <summary>k: 1 .. Count.</summary>
        public int Index { get; }

        /// <summary>N.</summary>
        public int Count { get; }

        public override string ToString() => Index.ToString(CultureInfo.InvariantCulture) + "/" + Count.ToString(CultureInfo.InvariantCulture);

        /// <summary>Parses "k/N" (k from 1); null with <paramref name="error"/> set when the text is not one.</summary>
        public static ShardSpec Parse(string text, out string error)
        {
            error = null;
            var parts = (text ?? string.Empty).Split('/');
            if (parts.Length == 2
                && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
                && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                if (n >= 1 && n <= MaximumCount && k >= 1 && k <= n) { return new ShardSpec(k, n); }
                error = $"'{text}' is not a shard of the pair space: k/N needs 1 <= k <= N <= {MaximumCount}.";
                return null;
            }

            error = $"'{text}' is not a shard: write it as k/N, for example 3/8 for the third of eight shards.";
            return null;
        }

        /// <summary>
        /// Shard k's units: the contiguous range whose pairs are about the k-th N-th of <paramref name="unitPairs"/>'s
        /// total (a unit starts shard s when the pairs before it reach s/N of the total). The ranges of 1..N cover every
        /// unit once.
        /// </summary>
        public UnitRange Units(long[] unitPairs)
        {
            return new UnitRange(Start(unitPairs, Index - 1, Count), Start(unitPairs, Index, Count));
        }

        private static int Start(long[] unitPairs, int shard, int count)
        {
            if (shard <= 0) { return 0; }
            if (shard >= count) { return unitPairs.Length; }
            long total = unitPairs.Sum();
            long before = 0;
            for (int u = 0; u < unitPairs.Length; u++)
            {
                // Integer arithmetic: before / total >= shard / count, without rounding.
                if ((decimal)before * count >= (decimal)shard * total) { return u; }
                before += unitPairs[u];
            }

            return unitPairs.Length;
        }

        /// <summary>Slice k of <paramref name="total"/> items: [start, end).</summary>
        public void Slice(int total, out int start, out int end)
        {
            start = (int)((long)total * (Index - 1) / Count);
            end = (int)((long)total * Index / Count);
        }

        /// <summary>The work units of a design's impostor scoring, with the pairs each holds.</summary>
        public static long[] UnitPairs(PairDesign design)
        {
            switch (design)
            {
                case AllPairsDesign all:
                    return SimilarityKernel.TilePairs(all.RowImage.Length, all.RowImage.Length, true);
                case GalleryProbeDesign cross:
                    return SimilarityKernel.TilePairs(cross.Probes.Count(i => cross.Completed[i]), cross.Gallery.Count(i => cross.Completed[i]), false);
                case PairListDesign list:
                    int pairs = 0;
                    for (long o = 0; o < list.PairCount; o++)
                    {
                        list.PairAt(o, out var a, out var b);
                        if (!list.IsGenuinePair(o) && list.PairCompleted(a, b, o)) { pairs++; }
                    }

                    return SimilarityKernel.ChunkPairs(pairs);
                default:
                    throw new NotSupportedException("This pair design cannot be sharded.");
            }
        }
    }
}
