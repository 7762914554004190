using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class EngineTests
    {
        private sealed class CapturingSink : IScoreSink
        {
            public readonly Dictionary<(int, int), float> Scores = new Dictionary<(int, int), float>();

            public void Tile(in ScoreTile tile, float[] scores)
            {
                lock (Scores)
                {
                    for (int i = 0; i < tile.RowCount; i++)
                    {
                        for (int j = tile.Diagonal ? i + 1 : 0; j < tile.ColumnCount; j++)
                        {
                            Scores.Add((tile.RowStart + i, tile.ColumnStart + j), scores[i * tile.ColumnCount + j]);
                        }
                    }
                }
            }

            public void Pairs(int chunkIndex, int start, int count, float[] scores) => throw new NotSupportedException();
        }

        private static float[][] RandomVectors(Random rng, int n, int dim) =>
            Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, dim).Select(__ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();

        [Fact]
        public void TilesScoreEveryPairOnceAndExactlyLikeASinglePair()
        {
            var rng = new Random(5);
            var m = EmbeddingMatrix.FromVectors(RandomVectors(rng, 150, 37), 37);
            var sinks = new[] { new CapturingSink(), new CapturingSink(), new CapturingSink() };
            var progress = new ScoringProgress();
            SimilarityKernel.RunAllPairs(m, sinks, progress, CancellationToken.None);
            var all = sinks.SelectMany(s => s.Scores).ToList();
            Assert.Equal(150 * 149 / 2, all.Count);
            Assert.Equal(150 * 149 / 2, progress.Done);
            foreach (var kv in all)
            {
                Assert.True(kv.Key.Item1 < kv.Key.Item2);
                Assert.Equal(m.Score(kv.Key.Item1, kv.Key.Item2), kv.Value);
            }

            var other = EmbeddingMatrix.FromVectors(RandomVectors(rng, 45, 37), 37);
            var cross = new[] { new CapturingSink(), new CapturingSink() };
            SimilarityKernel.RunCross(m, other, cross, null, CancellationToken.None);
            var crossAll = cross.SelectMany(s => s.Scores).ToList();
            Assert.Equal(150 * 45, crossAll.Count);
            foreach (var kv in crossAll) { Assert.Equal(m.Score(kv.Key.Item1, other, kv.Key.Item2), kv.Value); }

            // The score is the true cosine of the raw vectors.
            var raw = RandomVectors(new Random(9), 2, 37);
            double dot = 0, na = 0, nb = 0;
            for (int k = 0; k < 37; k++) { dot += raw[0][k] * raw[1][k]; na += raw[0][k] * raw[0][k]; nb += raw[1][k] * raw[1][k]; }
            Assert.Equal(dot / Math.Sqrt(na * nb), EmbeddingMatrix.FromVectors(raw.Select(v => v.Select(x => x * 3.5f).ToArray()).ToList(), 37).Score(0, 1), 5);
        }

        [Fact]
        public void CancellationStopsTheKernel()
        {
            var m = EmbeddingMatrix.FromVectors(RandomVectors(new Random(1), 300, 16), 16);
            var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => SimilarityKernel.RunAllPairs(m, new[] { new CapturingSink(), new CapturingSink() }, null, cts.Token));
        }

        /// <summary>Two models over 8 identities x 5 images, with ties (repeated vectors) and failures to acquire.</summary>
        private static (List<FaceEmbedding> A, List<FaceEmbedding> B) TwoModels(int seed, int identities = 8, int perIdentity = 5, int dim = 19)
        {
            var rng = new Random(seed);
            var a = new List<FaceEmbedding>();
            var b = new List<FaceEmbedding>();
            for (int id = 0; id < identities; id++)
            {
                var center = RandomVectors(rng, 1, dim)[0];
                for (int k = 0; k < perIdentity; k++)
                {
                    var v = center.Select(x => x + (float)(rng.NextDouble() - 0.5)).ToArray();
                    if (k == 3) { v = a[a.Count - 1].Vector.ToArray(); } // an exact duplicate: tied scores
                    var w = v.Select(x => x + (float)(rng.NextDouble() - 0.5) * 0.8f).ToArray();
                    string rel = $"p{id:D2}/img{k}.png";
                    a.Add(TestData.Embedding("alpha", rel, v, (id * 7 + k) % 13 == 0 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                    b.Add(TestData.Embedding("beta", rel, w, (id * 5 + k) % 17 == 1 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                }
            }

            return (a, b);
        }

        /// <summary>All pairs in ordinal order with their reference scores: completed ones scored, failed ones at -1.</summary>
        private static List<(float Score, bool Genuine, bool Completed, bool Common, string IdA, string IdB)> ReferencePairs(List<FaceEmbedding> model, List<FaceEmbedding> other)
        {
            var sorted = model.OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
            var okElsewhere = new HashSet<string>(other.Where(e => e.Status == EmbeddingStatus.Success).Select(e => e.RelativePath));
            var result = new List<(float, bool, bool, bool, string, string)>();
            for (int i = 0; i < sorted.Count; i++)
            {
                for (int j = i + 1; j < sorted.Count; j++)
                {
                    bool completed = sorted[i].Status == EmbeddingStatus.Success && sorted[j].Status == EmbeddingStatus.Success;
                    float score = completed ? EmbeddingMatrix.FromVectors(new[] { sorted[i].Vector, sorted[j].Vector }, sorted[i].Dimension).Score(0, 1) : -1f;
                    bool common = completed && okElsewhere.Contains(sorted[i].RelativePath) && okElsewhere.Contains(sorted[j].RelativePath);
                    result.Add((score, sorted[i].Identity == sorted[j].Identity, completed, common, sorted[i].Identity, sorted[j].Identity));
                }
            }

            return result;
        }

        private static void AssertMatches(VerificationMetrics m, IEnumerable<(float Score, bool Genuine)> pairs, VerificationOptions options)
        {
            var list = pairs.ToList();
            var g = list.Where(p => p.Genuine).Select(p => p.Score).ToArray();
            var im = list.Where(p => !p.Genuine).Select(p => p.Score).ToArray();
            Assert.Equal(g.Length, m.GenuinePairs);
            Assert.Equal(im.Length, m.ImpostorPairs);
            for (int t = 0; t < options.FarTargets.Length; t++)
            {
                var r = ReferenceMetrics.TarAtFar(g, im, options.FarTargets[t]);
                Assert.Equal(r.Supported, m.TarAtFar[t].IsSupported);
                if (r.Supported)
                {
                    Assert.Equal(r.Tar, m.TarAtFar[t].Tar.Value, 12);
                    Assert.Equal(r.Threshold, (float)m.TarAtFar[t].Threshold.Value);
                }
            }

            var eer = ReferenceMetrics.Eer(g, im);
            Assert.Equal(eer.Eer, m.Eer, 12);
            Assert.Equal(eer.Threshold, (float)m.EerThreshold);
            Assert.Equal(ReferenceMetrics.Auc(g, im), m.Auc, 12);
            Assert.Equal(ReferenceMetrics.BestAccuracy(g, im).Accuracy, m.BestAccuracy, 12);
        }

        [Theory]
        [InlineData(1, 1 << 23, 2)]
        [InlineData(2, 16, 3)]
        [InlineData(3, 16, 1)]
        public void AllPairsOfTwoModelsMatchTheReferenceOnEveryPairSet(int seed, int maxTail, int workers)
        {
            var (a, b) = TwoModels(seed);
            var options = new VerificationOptions { FarTargets = new[] { 0.3, 0.1, 0.01, 1e-3 }, MaxTailEntries = maxTail, Workers = workers, BootstrapSamples = 0 };
            var engine = new VerificationEngine(options, null, CancellationToken.None);
            var outcome = engine.MeasureEmbeddings(new[] { Group("alpha", a), Group("beta", b) }, PairProtocol.AllPairs, null);
            Assert.Empty(outcome.Problems);
            Assert.Equal(2, outcome.Results.Count);
            foreach (var (result, mine, theirs) in new[] { (outcome.Results[0], a, b), (outcome.Results[1], b, a) })
            {
                var reference = ReferencePairs(mine, theirs);
                Assert.Equal(mine.Count(e => e.Status != EmbeddingStatus.Success), result.FailedImageCount);
                Assert.Equal((double)result.FailedImageCount / mine.Count, result.FailureToAcquireRate.Value, 12);
                AssertMatches(result.Completed, reference.Where(p => p.Completed).Select(p => (p.Score, p.Genuine)), options);
                AssertMatches(result.SystemLevel, reference.Select(p => (p.Score, p.Genuine)), options);
                AssertMatches(result.CommonCompleted, reference.Where(p => p.Common).Select(p => (p.Score, p.Genuine)), options);
                Assert.Equal(reference.Count(p => !p.Completed && p.Genuine), result.SystemLevel.FailedGenuinePairs);
                Assert.Equal(reference.Count(p => !p.Completed && !p.Genuine), result.SystemLevel.FailedImpostorPairs);

                // k-fold over the whole pair list (failed pairs hold their places).
                var scores = reference.Select(p => p.Score).ToArray();
                var labels = reference.Select(p => p.Genuine).ToArray();
                var kfold = ReferenceMetrics.KFold(scores, labels, 10);
                Assert.Equal(kfold.Mean, result.SystemLevel.KFoldAccuracyMean.Value, 12);

                var lowest = reference.Where(p => p.Completed && p.Genuine).Min(p => p.Score);
                Assert.Equal(lowest, (float)result.HardestGenuinePairs[0].Similarity);
                var highest = reference.Where(p => p.Completed && !p.Genuine).Max(p => p.Score);
                Assert.Equal(highest, (float)result.HardestImpostorPairs[0].Similarity);
                Assert.NotEqual(result.HardestImpostorPairs[0].ReferenceIdentity, result.HardestImpostorPairs[0].DifferenceIdentity);
            }

            var comparison = outcome.Comparisons.Single();
            Assert.Equal("alpha", comparison.ReferenceModel);
            Assert.Equal("beta", comparison.DifferenceModel);
            Assert.Equal(outcome.Results[0].CommonCompleted.GenuinePairs, comparison.GenuinePairs);
            var eerDiff = comparison.Differences.Single(d => d.Metric == "EER");
            Assert.Equal(outcome.Results[1].CommonCompleted.Eer - outcome.Results[0].CommonCompleted.Eer, eerDiff.Difference.Value, 12);
            Assert.Contains("BootstrapSamples", comparison.Verdict);
        }

        private static KeyValuePair<string, List<FaceEmbedding>> Group(string model, List<FaceEmbedding> e) => new KeyValuePair<string, List<FaceEmbedding>>(model, e);

        [Fact]
        public void BootstrapResamplesIdentitiesAndRederivesTheThreshold()
        {
            var (a, _) = TwoModels(4, identities: 6, perIdentity: 4, dim: 11);
            a = a.Select(e => TestData.Embedding(e.Model, e.RelativePath, e.Vector.Length > 0 ? e.Vector : Enumerable.Repeat(0.5f, 11).ToArray())).ToList();
            const int samples = 40;
            var targets = new[] { 0.2, 0.05 };
            var options = new VerificationOptions { FarTargets = targets, BootstrapSamples = samples, BootstrapSeed = 3 };
            var outcome = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(new[] { Group("alpha", a) }, PairProtocol.AllPairs, null);
            var m = outcome.Results.Single().Completed;

            // The same replicates by brute force: expand each pair by its weight and apply the literal definitions.
            var pairs = ReferencePairs(a, a);
            var ids = a.Select(e => e.Identity).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
            var universe = Enumerable.Range(0, ids.Count).ToArray();
            var weights = new int[ids.Count];
            var tar = targets.Select(_ => new List<double>()).ToArray();
            var eer = new List<double>();
            for (int r = 0; r < samples; r++)
            {
                BootstrapEngine.DrawWeights(3, r, universe, weights);
                var g = new List<float>();
                var im = new List<float>();
                foreach (var p in pairs)
                {
                    int wa = weights[ids.IndexOf(p.IdA)], wb = weights[ids.IndexOf(p.IdB)];
                    int copies = p.Genuine ? wa : wa * wb;
                    for (int c = 0; c < copies; c++) { (p.Genuine ? g : im).Add(p.Score); }
                }

                for (int t = 0; t < targets.Length; t++) { tar[t].Add(ReferenceMetrics.TarAtFar(g.ToArray(), im.ToArray(), targets[t]).Tar); }
                eer.Add(ReferenceMetrics.Eer(g.ToArray(), im.ToArray()).Eer);
            }

            for (int t = 0; t < targets.Length; t++)
            {
                var sorted = tar[t].OrderBy(x => x).ToList();
                Assert.Equal(Statistics.Percentile(sorted, 0.025), m.TarAtFar[t].TarLower.Value, 12);
                Assert.Equal(Statistics.Percentile(sorted, 0.975), m.TarAtFar[t].TarUpper.Value, 12);
            }

            var e = eer.OrderBy(x => x).ToList();
            Assert.Equal(Statistics.Percentile(e, 0.025), m.EerLower.Value, 12);
            Assert.Equal(Statistics.Percentile(e, 0.975), m.EerUpper.Value, 12);
            Assert.True(m.EerLower < m.EerUpper);
        }

        [Fact]
        public void ResultsDoNotDependOnThreadCountAndSerialiseStably()
        {
            var (a, b) = TwoModels(7);
            string Run(int workers)
            {
                var options = new VerificationOptions { Workers = workers, BootstrapSamples = 30, MaxTailEntries = 16 };
                var outcome = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(new[] { Group("alpha", a), Group("beta", b) }, PairProtocol.AllPairs, null);
                var json = JsonSerializer.Serialize(new { outcome.Results, outcome.Comparisons });
                return System.Text.RegularExpressions.Regex.Replace(json, "\"MeasuredAt\":\"[^\"]*\"", string.Empty);
            }

            var one = Run(1);
            Assert.Equal(one, Run(2));
            Assert.Equal(one, Run(3));
            Assert.DoesNotContain("NaN", one);
            Assert.Contains("\"PairSet\":\"CommonCompleted\"", one);

            // The result types read back from their own JSON.
            var outcome2 = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("alpha", a) }, PairProtocol.AllPairs, null);
            var text = JsonSerializer.Serialize(outcome2.Results[0]);
            var back = JsonSerializer.Deserialize<VerificationResult>(text);
            Assert.Equal(text, JsonSerializer.Serialize(back));
        }

        [Fact]
        public void GalleryProbeAutoSplitPairsProbesWithGalleries()
        {
            var (a, _) = TwoModels(8, identities: 5, perIdentity: 4, dim: 9);
            a = a.Select(e => e.RelativePath.EndsWith("img2.png") && e.Identity == "p01"
                ? TestData.Embedding("alpha", "p01/img2_gallery.png", e.Vector.Length > 0 ? e.Vector : Enumerable.Repeat(1f, 9).ToArray())
                : e).ToList();
            var outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("alpha", a) }, PairProtocol.GalleryProbe, null);
            var r = outcome.Results.Single();
            Assert.Equal("GalleryProbe", r.Protocol);

            // 5 gallery images, 15 probes: 15 genuine pairs and 15 * 4 impostor pairs at system level.
            Assert.Equal(15, r.SystemLevel.GenuinePairs);
            Assert.Equal(60, r.SystemLevel.ImpostorPairs);
            Assert.DoesNotContain(r.HardestGenuinePairs, p => p.ReferenceRelativePath == "p01/img0.png" && p.DifferenceRelativePath == "p01/img1.png");
            Assert.Contains(r.HardestGenuinePairs.Concat(r.HardestImpostorPairs), p => p.DifferenceRelativePath == "p01/img2_gallery.png" || p.ReferenceRelativePath == "p01/img2_gallery.png");
        }

        [Fact]
        public void PairListsMatchByRelativePathAndReportMissingImages()
        {
            var lfw = PairListReader.Parse(new[] { "2\t3", "p00\t1\t2", "p00\t1\tp01\t1", "p09 1 2" }, "pairs.txt");
            Assert.Equal("p00/p00_0001.jpg", lfw[0].First);
            Assert.True(lfw[0].Genuine);
            Assert.False(lfw[1].Genuine);
            var csv = PairListReader.Parse(new[] { "image1_path,image2_path,label", "p00/img1.png,p00/img2.png,1", "\"p00/img1.png\",p01/img1.png,0", ".\\p01\\img0.png,p01/img1.png,1", "p00/nope.png,p01/img1.png,0" }, "pairs.csv");
            Assert.Equal(4, csv.Count);
            Assert.Throws<FormatException>(() => PairListReader.Parse(new[] { "a.png,b.png,2" }, "bad.csv"));

            var (a, _) = TwoModels(9, identities: 3, perIdentity: 3, dim: 5);
            a = a.Select(e => TestData.Embedding(e.Model, e.RelativePath, e.Vector.Length > 0 ? e.Vector : Enumerable.Repeat(1f, 5).ToArray())).ToList();
            var outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("alpha", a) }, PairProtocol.PairList, csv);
            var missing = outcome.Problems.Single();
            Assert.Equal("PairImageNotFound", missing.Id);
            Assert.Equal("p00/nope.png", missing.Target);
            Assert.False(missing.ModelFailed);
            var r = outcome.Results.Single();
            Assert.Equal(2, r.Completed.GenuinePairs);
            Assert.Equal(1, r.Completed.ImpostorPairs);
            Assert.Equal(a.Single(e => e.RelativePath == "p00/img1.png").Path, r.HardestImpostorPairs[0].ReferencePath);

            // LFW names .jpg files; crops saved as .png still match by name.
            var lfwOutcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(
                new[] { Group("alpha", new List<FaceEmbedding> { TestData.Embedding("alpha", "p00/p00_0001.png", new[] { 1f, 0 }), TestData.Embedding("alpha", "p00/p00_0002.png", new[] { 1f, 0.1f }), TestData.Embedding("alpha", "p01/p01_0001.png", new[] { 0f, 1 }) }) },
                PairProtocol.PairList, lfw);
            Assert.Equal(2, lfwOutcome.Results.Single().Completed.GenuinePairs + lfwOutcome.Results.Single().Completed.ImpostorPairs);
        }

        [Fact]
        public void MixedLengthsInvalidVectorsAndDuplicatesAreNamed()
        {
            var list = new List<FaceEmbedding>
            {
                TestData.Embedding("m", "a/1.png", new[] { 1f, 0, 0 }),
                TestData.Embedding("m", "a/2.png", new[] { 1f, 0 }),
            };
            var outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("m", list) }, PairProtocol.AllPairs, null);
            var issue = outcome.Problems.Single();
            Assert.Equal("DimensionMismatch", issue.Id);
            Assert.Contains("a/1.png", issue.Message);
            Assert.Contains("a/2.png", issue.Message);

            list = new List<FaceEmbedding> { TestData.Embedding("m", "a/1.png", new[] { 0f, 0 }), TestData.Embedding("m", "b/1.png", new[] { 1f, 0 }) };
            outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("m", list) }, PairProtocol.AllPairs, null);
            Assert.Equal("InvalidEmbedding", outcome.Problems.Single().Id);

            list = new List<FaceEmbedding> { TestData.Embedding("m", "a/1.png", new[] { 1f, 0 }), TestData.Embedding("m", "a/1.png", new[] { 0f, 1 }), TestData.Embedding("m", "a/2.png", new[] { 1f, 0.2f }), TestData.Embedding("m", "b/1.png", new[] { 0f, 1 }) };
            outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("m", list) }, PairProtocol.AllPairs, null);
            Assert.Equal("DuplicateImage", outcome.Problems.Single().Id);
            Assert.Single(outcome.Results);
        }
    }
}
