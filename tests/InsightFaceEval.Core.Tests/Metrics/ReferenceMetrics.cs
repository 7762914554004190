using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// metrics.md read literally, by brute force over every candidate threshold: slow, obvious, and independent
    /// of the streaming code under test (no keys, no buckets, no anchors).
    /// </summary>
    internal static class ReferenceMetrics
    {
        public static double Far(float[] impostor, float t) => (double)impostor.Count(s => s >= t) / impostor.Length;

        public static double Frr(float[] genuine, float t) => (double)genuine.Count(s => s < t) / genuine.Length;

        /// <summary>(insufficient, tar, threshold, achieved FAR, budget).</summary>
        public static (bool Supported, double Tar, float Threshold, double AchievedFar, long Budget) TarAtFar(float[] genuine, float[] impostor, double target)
        {
            long k = (long)Math.Floor((decimal)target * impostor.Length);
            if (k == 0) { return (false, 0, 0, 0, 0); }
            var desc = impostor.OrderByDescending(s => s).ToArray();
            float t = MathF.BitIncrement(desc[k]);
            if (t == 0f) { t = 0f; }
            return (true, (double)genuine.Count(s => s >= t) / genuine.Length, t, Far(impostor, t), k);
        }

        public static (double Eer, float Threshold) Eer(float[] genuine, float[] impostor)
        {
            var candidates = genuine.Concat(impostor).Distinct().OrderBy(s => s).ToArray();
            decimal best = decimal.MaxValue;
            float bestT = 0;
            double eer = 0;
            foreach (var t in candidates)
            {
                long fa = impostor.Count(s => s >= t), fr = genuine.Count(s => s < t);
                decimal gap = Math.Abs((decimal)fa * genuine.Length - (decimal)fr * impostor.Length);
                if (gap < best)
                {
                    best = gap;
                    bestT = t;
                    eer = ((double)fa / impostor.Length + (double)fr / genuine.Length) / 2;
                }
            }

            return (eer, bestT);
        }

        public static double Auc(float[] genuine, float[] impostor)
        {
            double sum = 0;
            foreach (var g in genuine)
            {
                foreach (var i in impostor) { sum += g > i ? 1 : g == i ? 0.5 : 0; }
            }

            return sum / ((double)genuine.Length * impostor.Length);
        }

        /// <summary>Candidates: every distinct score and "reject all" (just above 1); ties take the lowest.</summary>
        public static (double Accuracy, float Threshold) BestAccuracy(float[] genuine, float[] impostor)
        {
            var candidates = genuine.Concat(impostor).Distinct().OrderBy(s => s).Append(MathF.BitIncrement(1f)).ToArray();
            long best = -1;
            float bestT = 0;
            foreach (var t in candidates)
            {
                long correct = genuine.Count(s => s >= t) + impostor.Count(s => s < t);
                if (correct > best) { best = correct; bestT = t; }
            }

            return ((double)best / (genuine.Length + impostor.Length), bestT);
        }

        /// <summary>Contiguous folds over the pair list (ordinal order); threshold from the other folds.</summary>
        public static (double Mean, double Std) KFold(float[] scores, bool[] genuine, int folds)
        {
            int n = scores.Length;
            var acc = new List<double>();
            for (int f = 0; f < folds; f++)
            {
                long lo = (long)Math.Floor((decimal)f * n / folds), hi = (long)Math.Floor((decimal)(f + 1) * n / folds);
                var trainG = new List<float>(); var trainI = new List<float>(); var testG = new List<float>(); var testI = new List<float>();
                for (int p = 0; p < n; p++)
                {
                    bool test = p >= lo && p < hi;
                    (test ? (genuine[p] ? testG : testI) : (genuine[p] ? trainG : trainI)).Add(scores[p]);
                }

                if (testG.Count + testI.Count == 0) { continue; }
                var (_, t) = BestAccuracy(trainG.ToArray(), trainI.ToArray());
                acc.Add((double)(testG.Count(s => s >= t) + testI.Count(s => s < t)) / (testG.Count + testI.Count));
            }

            double m = acc.Average();
            return (m, Math.Sqrt(acc.Sum(a => (a - m) * (a - m)) / acc.Count));
        }

        public static double DPrime(float[] genuine, float[] impostor)
        {
            double mg = genuine.Average(s => (double)s), mi = impostor.Average(s => (double)s);
            double vg = genuine.Average(s => ((double)s - mg) * ((double)s - mg)), vi = impostor.Average(s => ((double)s - mi) * ((double)s - mi));
            return (mg - mi) / Math.Sqrt((vg + vi) / 2);
        }
    }
}
