using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>
    /// The score buckets a shard counts key by key. One run finds the bucket an order statistic falls in after its
    /// first pass and counts it in a second; a shard cannot (it sees only its part of the pairs), so it predicts every
    /// such bucket up front, from a seeded random sample of the whole pair space that every shard draws alike: for
    /// each pair set the metrics read (completed pairs, system level with the failures at -1, pairs every model
    /// completed), the TAR@FAR thresholds below the kept tail and the EER crossing, each with a six-sigma margin and a
    /// bucket either side. A statistic that still lands outside is a ShardStateUnresolved error at the merge, never
    /// a guess.
    /// </summary>
    internal static class ShardPrediction
    {
        private const int MaxSpread = 96;
        private const int MaxBuckets = 256;

        public static List<int> Buckets(PairDesign design, EmbeddingMatrix matrix, VerificationOptions options, long keep,
            GenuineView completed, GenuineView system, GenuineView common, long completedImpostors, long failedImpostors)
        {
            var buckets = new SortedSet<int>();
            if (failedImpostors > 0) { buckets.Add(ScoreKeys.Bucket(ScoreKeys.MinusOne)); }
            if (completedImpostors <= keep || completedImpostors < 1) { return buckets.ToList(); }

            // The sample: random pair ordinals of the whole design, impostor and completed ones kept.
            int size = (int)Math.Min(1 << 18, Math.Max(4096, 4 * completedImpostors));
            var random = new Random(options.BootstrapSeed ^ 0x5AAD);
            var all = new List<uint>(size);
            var commonOnly = new List<uint>();
            var list = design as PairListDesign;
            for (int attempt = 0; all.Count < size && attempt < 20 * size && design.PairCount > 0; attempt++)
            {
                long ordinal = (long)(random.NextDouble() * design.PairCount);
                if (ordinal >= design.PairCount) { continue; }
                design.PairAt(ordinal, out var a, out var b);
                bool genuine = list != null ? list.IsGenuinePair(ordinal) : design.Identity[a] == design.Identity[b];
                if (genuine || !design.PairCompleted(a, b, ordinal)) { continue; }
                uint key = ScoreKeys.Key(design.PairScore(matrix, a, b, ordinal));
                all.Add(key);
                if (common != null && design.PairCommon(a, b, ordinal)) { commonOnly.Add(key); }
            }

            Add(buckets, all, completed, completedImpostors, 0, options, keep);
            if (failedImpostors > 0) { Add(buckets, all, system, completedImpostors, failedImpostors, options, keep); }
            if (common != null && all.Count > 0)
            {
                Add(buckets, commonOnly, common, (long)Math.Round((double)completedImpostors * commonOnly.Count / all.Count), 0, options, keep);
            }

            return buckets.Take(MaxBuckets).ToList();
        }

        /// <summary>One pair set: <paramref name="sample"/> stands for its <paramref name="scored"/> impostors above the <paramref name="atMinusOne"/> failures.</summary>
        private static void Add(SortedSet<int> buckets, List<uint> sample, GenuineView genuine, long scored, long atMinusOne, VerificationOptions options, long keep)
        {
            if (sample.Count < 2 || scored < 1) { return; }
            var descending = sample.OrderByDescending(k => k).ToArray();
            var ascending = sample.OrderBy(k => k).ToArray();
            long total = scored + atMinusOne;
            var ranks = new List<long>();
            foreach (var f in options.FarTargets)
            {
                long k = Statistics.Budget(f, total);
                if (k > 0) { ranks.Add(k + 1); }
            }

            if (genuine != null && genuine.Count > 0)
            {
                foreach (var kv in genuine.Distinct())
                {
                    double frr = (double)genuine.CountBelow(kv.Key) / genuine.Count;
                    double far = (double)(ascending.Length - GenuineView.LowerBound(ascending, kv.Key)) / ascending.Length * scored / total;
                    if (far <= frr)
                    {
                        ranks.Add((long)Math.Ceiling(frr * total));
                        ranks.Add((long)Math.Ceiling(far * total) + 1);
                        break;
                    }
                }
            }

            foreach (var rank in ranks)
            {
                // Ranks in the kept tail need nothing; ranks among the failures sit at -1, counted already.
                if (rank <= keep / 4 || rank > scored) { continue; }
                double q = (double)rank / scored;
                double m = q * descending.Length, spread = 6 * Math.Sqrt(descending.Length * q * (1 - q)) + 3;
                int hi = (int)Math.Max(0, Math.Floor(m - spread)), lo = (int)Math.Min(descending.Length - 1, Math.Ceiling(m + spread));
                int top = Math.Min(ScoreKeys.BucketCount - 1, ScoreKeys.Bucket(descending[hi]) + 1);
                int bottom = Math.Max(0, ScoreKeys.Bucket(descending[lo]) - 1);
                if (top - bottom >= MaxSpread) { continue; }
                for (int b = bottom; b <= top; b++) { buckets.Add(b); }
            }
        }
    }
}
