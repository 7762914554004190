using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Subgroups
{
    /// <summary>What a subgroup analysis is asked for.</summary>
    public sealed class SubgroupRequest
    {
        public SubgroupMetadata Metadata { get; set; }

        /// <summary>The attribute column whose values are the groups.</summary>
        public string GroupBy { get; set; }

        /// <summary>The FAR the global threshold (on all completed pairs) and each group's own threshold are chosen at.</summary>
        public double TargetFar { get; set; }

        public int BootstrapSamples { get; set; }

        public int BootstrapSeed { get; set; } = 1;

        public double ConfidenceLevel { get; set; } = 0.95;

        public int Workers { get; set; } = 1;
    }

    /// <summary>
    /// Subgroup differentials (docs/subgroups.md) of one model's pair design, on completed pairs. The global threshold is
    /// the completed pairs' TAR@FAR threshold at the target FAR (<paramref name="global"/>, from the verification result);
    /// a genuine pair belongs to a group when both its sides do, an impostor pair to the cell of its two sides' groups.
    /// </summary>
    public static class SubgroupCalculator
    {
        public static SubgroupAnalysis Analyse(string model, PairDesign design, EmbeddingMatrix matrix, string[] identityNames, TarAtFar global,
            SubgroupRequest request, CancellationToken cancellationToken)
        {
            int column = request.Metadata.ColumnIndex(request.GroupBy);
            if (column < 0) { throw new ArgumentException($"The metadata has no column '{request.GroupBy}'.", nameof(request)); }

            // Groups, ordered by name; -1 for an image without one.
            var labels = design.Images.Select((e, i) => request.Metadata.GroupOf(column, identityNames[design.Identity[i]], e.RelativePath)).ToArray();
            var names = labels.Where(l => l != null).Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal).ToArray();
            var index = names.Select((n, i) => new KeyValuePair<string, int>(n, i)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var groupOf = labels.Select(l => l == null ? -1 : index[l]).ToArray();
            int groups = names.Length;
            uint threshold = global.IsSupported && global.Threshold.HasValue ? ScoreKeys.CeilingKey(global.Threshold.Value) : ScoreKeys.AboveOne;

            // Genuine pairs: per group, each with its identity (for the bootstrap) and score key.
            var genuine = new List<KeyValuePair<int, uint>>[groups];
            for (int g = 0; g < groups; g++) { genuine[g] = new List<KeyValuePair<int, uint>>(); }
            design.ForEachGenuine((a, b, ordinal) =>
            {
                int g = groupOf[a];
                if (g < 0 || g != groupOf[b] || !design.PairCompleted(a, b, ordinal)) { return; }
                genuine[g].Add(new KeyValuePair<int, uint>(design.Identity[a], ScoreKeys.Key(design.PairScore(matrix, a, b, ordinal))));
            });

            // Impostor pairs, first pass: cells and coarse within-group histograms.
            int workers = design is AllPairsDesign && matrix != null ? Math.Max(1, request.Workers) : 1;
            var rowImage = design.RowImage;
            var first = Enumerable.Range(0, workers).Select(_ => new SubgroupSink(groupOf, design.Identity, rowImage, groups, threshold, null)).ToList();
            SubgroupSink.ScoreImpostors(design, matrix, first, cancellationToken);
            var pairs = new long[groups * groups];
            var falseMatches = new long[groups * groups];
            var coarse = new long[groups][];
            for (int g = 0; g < groups; g++) { coarse[g] = new long[ScoreKeys.BucketCount]; }
            foreach (var sink in first)
            {
                for (int c = 0; c < pairs.Length; c++) { pairs[c] += sink.Pairs[c]; falseMatches[c] += sink.FalseMatches[c]; }
                for (int g = 0; g < groups; g++)
                {
                    for (int b = 0; b < ScoreKeys.BucketCount; b++) { coarse[g][b] += sink.Coarse[g][b]; }
                }
            }

            // Each group's own threshold: the bucket holding its (k+1)-th highest within-group impostor score.
            var need = Enumerable.Repeat(-1, groups).ToArray();
            var rank = new long[groups];
            var above = new long[groups];
            for (int g = 0; g < groups; g++)
            {
                long n = pairs[g * groups + g];
                long k = Statistics.Budget(request.TargetFar, n);
                if (k <= 0 || k >= n) { continue; }
                rank[g] = k + 1;
                long seen = 0;
                for (int b = ScoreKeys.BucketCount - 1; b >= 0; b--)
                {
                    if (seen + coarse[g][b] >= k + 1) { need[g] = b; above[g] = seen; break; }
                    seen += coarse[g][b];
                }
            }

            long[][] fine = null;
            if (need.Any(b => b >= 0))
            {
                var second = Enumerable.Range(0, workers).Select(_ => new SubgroupSink(groupOf, design.Identity, rowImage, groups, threshold, need)).ToList();
                SubgroupSink.ScoreImpostors(design, matrix, second, cancellationToken);
                fine = new long[groups][];
                for (int g = 0; g < groups; g++)
                {
                    if (need[g] < 0) { continue; }
                    fine[g] = new long[1 << ScoreKeys.BucketShift];
                    foreach (var sink in second)
                    {
                        for (int i = 0; i < fine[g].Length; i++) { fine[g][i] += sink.Fine[g][i]; }
                    }
                }
            }

            var metrics = new SubgroupMetrics[groups];
            for (int g = 0; g < groups; g++)
            {
                var keys = genuine[g];
                long fnm = keys.Count(kv => kv.Value < threshold);
                double? lower = null, upper = null;
                if (keys.Count > 0 && request.BootstrapSamples > 0)
                {
                    FnmrInterval(keys, threshold, request, g, out lower, out upper);
                }

                long n = pairs[g * groups + g];
                var own = OwnThreshold(request.TargetFar, n, need[g], rank[g], above[g], fine?[g], keys);
                var members = Enumerable.Range(0, groupOf.Length).Where(i => groupOf[i] == g).ToList();
                metrics[g] = new SubgroupMetrics(model, names[g], members.Select(i => design.Identity[i]).Distinct().Count(), members.Count,
                    members.Count(i => !design.Completed[i]), keys.Count, fnm, lower, upper, n, falseMatches[g * groups + g], own);
            }

            var cells = new List<SubgroupFmrCell>();
            for (int a = 0; a < groups; a++)
            {
                for (int b = a; b < groups; b++) { cells.Add(new SubgroupFmrCell(names[a], names[b], pairs[a * groups + b], falseMatches[a * groups + b])); }
            }

            return new SubgroupAnalysis(model, request.Metadata.Columns[column], request.TargetFar, global, metrics, cells.ToArray(),
                groupOf.Count(g => g < 0), request.BootstrapSamples, request.ConfidenceLevel);
        }

        /// <summary>TAR@FAR on a group's own impostor pairs: metrics.md's budget rule, threshold just above the (k+1)-th highest score.</summary>
        private static TarAtFar OwnThreshold(double far, long impostors, int bucket, long rank, long above, long[] fine, List<KeyValuePair<int, uint>> genuine)
        {
            if (impostors == 0 || genuine.Count == 0) { return null; }
            long k = Statistics.Budget(far, impostors);
            double lowest = 1.0 / impostors;
            if (k <= 0) { return new TarAtFar(far, false, 0, lowest, null, null, null, null, null, null, null); }
            if (k >= impostors) { return new TarAtFar(far, true, k, lowest, 1.0, -1.0, 1.0, impostors, genuine.Count, null, null); }
            long seen = above;
            int low = (1 << ScoreKeys.BucketShift) - 1;
            for (; low >= 0; low--)
            {
                if (seen + fine[low] >= rank) { break; }
                seen += fine[low];
            }

            uint s = ScoreKeys.BucketStart(bucket) + (uint)low;
            uint threshold = s + 1;
            long trueAccepts = genuine.Count(kv => kv.Value >= threshold);
            return new TarAtFar(far, true, k, lowest, (double)trueAccepts / genuine.Count, ScoreKeys.Value(threshold), (double)seen / impostors, seen, trueAccepts, null, null);
        }

        /// <summary>Percentile interval of a group's FNMR at the global threshold, resampling the group's identities with replacement.</summary>
        private static void FnmrInterval(List<KeyValuePair<int, uint>> genuine, uint threshold, SubgroupRequest request, int group, out double? lower, out double? upper)
        {
            var perIdentity = genuine.GroupBy(kv => kv.Key).OrderBy(g => g.Key)
                .Select(g => new KeyValuePair<long, long>(g.LongCount(), g.LongCount(kv => kv.Value < threshold))).ToArray();
            var random = new Random(unchecked(request.BootstrapSeed * 31 + group));
            var replicates = new List<double>(request.BootstrapSamples);
            for (int r = 0; r < request.BootstrapSamples; r++)
            {
                long pairs = 0, misses = 0;
                for (int i = 0; i < perIdentity.Length; i++)
                {
                    var drawn = perIdentity[random.Next(perIdentity.Length)];
                    pairs += drawn.Key;
                    misses += drawn.Value;
                }

                replicates.Add((double)misses / pairs);
            }

            BootstrapReplicates.Interval(replicates, request.ConfidenceLevel, out lower, out upper);
        }
    }
}
