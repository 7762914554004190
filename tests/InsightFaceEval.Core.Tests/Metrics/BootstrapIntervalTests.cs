using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The AUC interval and the system-level intervals come from the same identity bootstrap as TAR@FAR and EER:
    /// checked against brute force (each pair copied as often as its identities are drawn, metrics.md read literally).
    /// </summary>
    public class BootstrapIntervalTests
    {
        /// <summary>6 identities x 4 images, with failures to acquire (one identity loses two of its images).</summary>
        private static List<FaceEmbedding> Embeddings(float noise = 1.6f)
        {
            var rng = new Random(21);
            var list = new List<FaceEmbedding>();
            for (int id = 0; id < 6; id++)
            {
                var centre = Enumerable.Range(0, 11).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                for (int k = 0; k < 4; k++)
                {
                    var v = centre.Select(x => x + (float)(rng.NextDouble() - 0.5) * noise).ToArray();
                    bool noFace = (id == 1 && k < 2) || (id == 4 && k == 3);
                    list.Add(TestData.Embedding("m", $"p{id}/img{k}.png", v, noFace ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                }
            }

            return list;
        }

        private static List<(float Score, bool Genuine, bool Completed, string IdA, string IdB)> Pairs(List<FaceEmbedding> images)
        {
            var sorted = images.OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
            var pairs = new List<(float, bool, bool, string, string)>();
            for (int i = 0; i < sorted.Count; i++)
            {
                for (int j = i + 1; j < sorted.Count; j++)
                {
                    bool completed = sorted[i].Status == EmbeddingStatus.Success && sorted[j].Status == EmbeddingStatus.Success;
                    float score = completed ? EmbeddingMatrix.FromVectors(new[] { sorted[i].Vector, sorted[j].Vector }, sorted[i].Dimension).Score(0, 1) : -1f;
                    pairs.Add((score, sorted[i].Identity == sorted[j].Identity, completed, sorted[i].Identity, sorted[j].Identity));
                }
            }

            return pairs;
        }

        [Fact]
        public void AucAndSystemLevelIntervalsMatchBruteForceReplicates()
        {
            const int samples = 40, seed = 3;
            var targets = new[] { 0.2, 0.05 };
            var images = Embeddings();
            var options = new VerificationOptions { FarTargets = targets, BootstrapSamples = samples, BootstrapSeed = seed };
            var outcome = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(
                new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", images) }, PairProtocol.AllPairs, null);
            Assert.Empty(outcome.Warnings);
            var result = outcome.Results.Single();

            var pairs = Pairs(images);
            var ids = images.Select(e => e.Identity).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
            var weights = new int[ids.Count];
            var draws = new Dictionary<string, List<double>>();
            void Add(string name, double value)
            {
                if (!draws.TryGetValue(name, out var list)) { draws[name] = list = new List<double>(); }
                list.Add(value);
            }

            for (int r = 0; r < samples; r++)
            {
                // Completed pairs draw from the identities that still have an embedded image; system level from all.
                foreach (var system in new[] { false, true })
                {
                    var universe = Enumerable.Range(0, ids.Count).Where(i => system || images.Any(e => e.Identity == ids[i] && e.Status == EmbeddingStatus.Success)).ToArray();
                    BootstrapEngine.DrawWeights(seed, r, universe, weights);
                    var g = new List<float>();
                    var im = new List<float>();
                    foreach (var p in pairs.Where(p => system || p.Completed))
                    {
                        int wa = weights[ids.IndexOf(p.IdA)], wb = weights[ids.IndexOf(p.IdB)];
                        int copies = p.Genuine ? wa : wa * wb;
                        for (int c = 0; c < copies; c++) { (p.Genuine ? g : im).Add(p.Score); }
                    }

                    string set = system ? "system" : "completed";
                    Add(set + " AUC", ReferenceMetrics.Auc(g.ToArray(), im.ToArray()));
                    Add(set + " EER", ReferenceMetrics.Eer(g.ToArray(), im.ToArray()).Eer);
                    for (int t = 0; t < targets.Length; t++) { Add(set + " TAR" + t, ReferenceMetrics.TarAtFar(g.ToArray(), im.ToArray(), targets[t]).Tar); }
                }
            }

            void AssertInterval(string name, double? lower, double? upper)
            {
                var sorted = draws[name].OrderBy(x => x).ToList();
                Assert.True(lower.HasValue, name + " has no interval");
                Assert.Equal(Statistics.Percentile(sorted, 0.025), lower.Value, 12);
                Assert.Equal(Statistics.Percentile(sorted, 0.975), upper.Value, 12);
            }

            AssertInterval("completed AUC", result.Completed.AucLower, result.Completed.AucUpper);
            AssertInterval("system AUC", result.SystemLevel.AucLower, result.SystemLevel.AucUpper);
            AssertInterval("system EER", result.SystemLevel.EerLower, result.SystemLevel.EerUpper);
            for (int t = 0; t < targets.Length; t++)
            {
                AssertInterval("system TAR" + t, result.SystemLevel.TarAtFar[t].TarLower, result.SystemLevel.TarAtFar[t].TarUpper);
            }

            // The intervals surround the point estimates and differ between the pair sets: failures cost.
            Assert.InRange(result.Completed.Auc, result.Completed.AucLower.Value, result.Completed.AucUpper.Value);
            Assert.True(result.SystemLevel.AucUpper < result.Completed.AucUpper);
            Assert.True(result.SystemLevel.EerLower > result.Completed.EerLower);
        }

        [Fact]
        public void AnAucIntervalNeedsOnlyTheImpostorsAboveTheLowestGenuineScore()
        {
            // Well separated: every genuine score lies above the 64 highest impostor scores kept.
            const int samples = 30, seed = 9;
            var images = Embeddings(0.3f);
            var options = new VerificationOptions { FarTargets = new[] { 0.05 }, BootstrapSamples = samples, BootstrapSeed = seed, MaxTailEntries = 64 };
            var outcome = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(
                new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", images) }, PairProtocol.AllPairs, null);
            var result = outcome.Results.Single();
            Assert.True(result.Completed.ImpostorPairs > 64);

            var pairs = Pairs(images).Where(p => p.Completed).ToList();
            var ids = images.Select(e => e.Identity).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
            var weights = new int[ids.Count];
            var auc = new List<double>();
            for (int r = 0; r < samples; r++)
            {
                BootstrapEngine.DrawWeights(seed, r, Enumerable.Range(0, ids.Count).ToArray(), weights);
                var g = new List<float>();
                var im = new List<float>();
                foreach (var p in pairs)
                {
                    int wa = weights[ids.IndexOf(p.IdA)], wb = weights[ids.IndexOf(p.IdB)];
                    for (int c = 0; c < (p.Genuine ? wa : wa * wb); c++) { (p.Genuine ? g : im).Add(p.Score); }
                }

                auc.Add(ReferenceMetrics.Auc(g.ToArray(), im.ToArray()));
            }

            auc.Sort();
            Assert.Equal(Statistics.Percentile(auc, 0.025), result.Completed.AucLower.Value, 12);
            Assert.Equal(Statistics.Percentile(auc, 0.975), result.Completed.AucUpper.Value, 12);

            // At system level the failed genuine pairs sit at -1, below the kept scores: no AUC interval, and a reason.
            Assert.Null(result.SystemLevel.AucLower);
            Assert.Contains(outcome.Warnings, w => w.StartsWith("m (system level): No interval for the AUC"));
        }

        [Fact]
        public void AnAucIntervalTheKeptScoresCannotSupportIsLeftOutWithAReason()
        {
            var images = Embeddings();
            var options = new VerificationOptions { FarTargets = new[] { 0.2 }, BootstrapSamples = 20, MaxTailEntries = 16 };
            var outcome = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(
                new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", images) }, PairProtocol.AllPairs, null);
            var result = outcome.Results.Single();
            Assert.Null(result.Completed.AucLower);
            Assert.Null(result.SystemLevel.AucLower);
            Assert.Contains(outcome.Warnings, w => w.StartsWith("m: No interval for the AUC: it needs every impostor score at or above the lowest genuine score"));
            Assert.Contains(outcome.Warnings, w => w.StartsWith("m (system level): No interval for the AUC"));
        }
    }
}
