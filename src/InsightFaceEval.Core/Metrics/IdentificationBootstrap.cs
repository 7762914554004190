using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Bootstrap intervals for 1:N identification (metrics.md, "Uncertainty"), as verification has them: each replicate
    /// draws the probes' identities with replacement (the draw of <see cref="BootstrapEngine.DrawWeights"/>, so replicate
    /// r sees the same identities in every model and pair set), weights each probe by its identity's count, and
    /// re-derives Rank-1, Rank-5 and, for each FPIR target, the threshold on the weighted non-mated top scores and the
    /// TPIR there. The gallery stays as enrolled: a search's rank does not depend on the draw. An unknown probe
    /// (unknown/ folder) is its own identity. The interval is the percentile interval of the replicates, empty when
    /// any replicate cannot be measured (no mated probe drawn, or too few non-mated ones for the target).
    /// </summary>
    internal static class IdentificationBootstrap
    {
        public sealed class Replicates
        {
            public double[] Rank1;
            public double[] Rank5;

            /// <summary>[target][replicate].</summary>
            public double[][] Tpir;
        }

        public static Replicates Run(IReadOnlyList<IdentificationEngine.ProbeOutcome> probes, int identityCount, double[] targets, int samples, int seed, int workers, CancellationToken cancellationToken)
        {
            var result = new Replicates { Rank1 = new double[samples], Rank5 = new double[samples], Tpir = targets.Select(_ => new double[samples]).ToArray() };
            var universe = probes.Select(p => p.Identity).Distinct().OrderBy(i => i).ToArray();

            // Non-mated top scores, highest first; mated probes with their rank and top score.
            var nonMated = probes.Where(p => !p.Mated).Select(p => new KeyValuePair<uint, int>(ScoreKeys.Key(p.TopScore), p.Identity)).OrderByDescending(kv => kv.Key).ToArray();
            var mated = probes.Where(p => p.Mated).ToArray();
            int next = -1;
            SimilarityKernel.RunWorkers(Math.Max(1, Math.Min(workers, samples)), worker =>
            {
                var w = new int[identityCount];
                int r;
                while ((r = Interlocked.Increment(ref next)) < samples)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    BootstrapEngine.DrawWeights(seed, r, universe, w);
                    double weightMated = 0, first = 0, fifth = 0;
                    foreach (var p in mated)
                    {
                        weightMated += w[p.Identity];
                        if (p.Rank <= 1) { first += w[p.Identity]; }
                        if (p.Rank <= 5) { fifth += w[p.Identity]; }
                    }

                    result.Rank1[r] = weightMated > 0 ? first / weightMated : double.NaN;
                    result.Rank5[r] = weightMated > 0 ? fifth / weightMated : double.NaN;
                    double weightNonMated = 0;
                    foreach (var kv in nonMated) { weightNonMated += w[kv.Value]; }
                    for (int t = 0; t < targets.Length; t++)
                    {
                        long budget = Statistics.Budget(targets[t], weightNonMated);
                        if (budget <= 0 || weightMated <= 0)
                        {
                            result.Tpir[t][r] = double.NaN;
                            continue;
                        }

                        // The lowest threshold with at most budget weighted false positives: just above the
                        // (budget+1)-th highest weighted non-mated top score.
                        uint threshold = ScoreKeys.MinusOne;
                        double cumulative = 0;
                        foreach (var kv in nonMated)
                        {
                            cumulative += w[kv.Value];
                            if (cumulative > budget)
                            {
                                threshold = kv.Key + 1;
                                break;
                            }
                        }

                        double hits = 0;
                        foreach (var p in mated) { if (p.Rank <= 1 && ScoreKeys.Key(p.TopScore) >= threshold) { hits += w[p.Identity]; } }
                        result.Tpir[t][r] = hits / weightMated;
                    }
                }
            });

            return result;
        }

        /// <summary>The metrics with their intervals attached.</summary>
        public static void Attach(IdentificationMetrics metrics, Replicates replicates, double confidence)
        {
            BootstrapReplicates.Interval(replicates.Rank1, confidence, out var lower, out var upper);
            metrics.Rank1Lower = lower;
            metrics.Rank1Upper = upper;
            BootstrapReplicates.Interval(replicates.Rank5, confidence, out lower, out upper);
            metrics.Rank5Lower = lower;
            metrics.Rank5Upper = upper;
            for (int t = 0; t < metrics.TpirAtFpir.Length && t < replicates.Tpir.Length; t++)
            {
                if (!metrics.TpirAtFpir[t].IsSupported) { continue; }
                BootstrapReplicates.Interval(replicates.Tpir[t], confidence, out lower, out upper);
                metrics.TpirAtFpir[t].TpirLower = lower;
                metrics.TpirAtFpir[t].TpirUpper = upper;
            }
        }
    }
}
