using System;
using System.Collections.Generic;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Which score buckets the first impostor pass should count key by key: where a random sample of impostor scores
    /// puts the order statistics the tail will not reach (a TAR@FAR threshold deep in the bulk, the EER crossing), with
    /// a wide margin. A wrong guess costs only a second pass; the results are exact either way.
    /// </summary>
    public static class BucketPrediction
    {
        /// <param name="impostors">Completed impostor pairs.</param>
        /// <param name="keep">How many of the highest impostor scores the tail keeps.</param>
        public static List<int> Predict(PairDesign design, EmbeddingMatrix matrix, GenuineView genuine, long impostors, long keep, double[] farTargets, int seed)
        {
            var buckets = new List<int>();
            if (impostors <= keep || impostors < 1) { return buckets; }
            var ranks = new List<long>();
            foreach (var f in farTargets)
            {
                // The tail holds up to keep keys, fewer when scores tie at its cut.
                long k = Statistics.Budget(f, impostors);
                if (k > 0 && k + 1 > keep / 4) { ranks.Add(k + 1); }
            }

            int size = (int)Math.Min(impostors, 1 << 18);
            var sample = design.SampleImpostorKeys(matrix, size, new Random(seed ^ 0x5EED));
            if (sample.Count < 1000) { return buckets; }
            sample.Sort();
            sample.Reverse();
            if (genuine.Count > 0)
            {
                // The EER crossing: the first genuine score where the sampled FAR falls to the FRR.
                var ascending = sample.ToArray();
                Array.Reverse(ascending);
                foreach (var kv in genuine.Distinct())
                {
                    double frr = (double)genuine.CountBelow(kv.Key) / genuine.Count;
                    double far = (double)(ascending.Length - GenuineView.LowerBound(ascending, kv.Key)) / ascending.Length;
                    if (far <= frr)
                    {
                        // The EER looks up the impostor where FAR meets this FRR, or the first one below this genuine score.
                        foreach (var rank in new[] { (long)Math.Ceiling(frr * impostors), (long)Math.Ceiling(far * impostors) + 1 })
                        {
                            if (rank > keep / 4 && rank <= impostors) { ranks.Add(rank); }
                        }

                        break;
                    }
                }
            }

            foreach (var rank in ranks)
            {
                double q = (double)rank / impostors;
                double m = q * sample.Count, spread = 5 * Math.Sqrt(sample.Count * q * (1 - q)) + 3;
                int hi = (int)Math.Max(0, Math.Floor(m - spread)), lo = (int)Math.Min(sample.Count - 1, Math.Ceiling(m + spread));
                int top = ScoreKeys.Bucket(sample[hi]), bottom = ScoreKeys.Bucket(sample[lo]);
                // Each predicted bucket costs 512 KB per worker: a spread too wide to pay for is left to a second pass.
                if (top - bottom >= 24 || buckets.Count + top - bottom + 1 > 48) { continue; }
                for (int b = bottom; b <= top; b++) { buckets.Add(b); }
            }

            return buckets;
        }
    }
}
