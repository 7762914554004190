using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class VerificationMetricsTests
    {
        private static readonly double[] Targets = { 0.5, 0.2, 0.1, 0.05, 1e-2, 1e-3 };

        private static VerificationMetrics Completed(float[] genuine, float[] impostor, VerificationOptions options = null)
        {
            var outcome = TestData.Measure(TestData.Comparisons("m", genuine, impostor), options ?? new VerificationOptions { FarTargets = Targets });
            Assert.Empty(outcome.Problems);
            return outcome.Results.Single().Completed;
        }

        [Fact]
        public void HandWorkedTiesAtTheThreshold()
        {
            float[] impostor = { 0.8f, 0.5f, 0.5f, 0.3f, 0.3f, 0.3f, 0.2f, 0.1f, 0.1f, 0f };
            float[] genuine = { 0.9f, 0.8f, 0.5f, 0.4f };
            var m = Completed(genuine, impostor, new VerificationOptions { FarTargets = new[] { 0.2, 0.1, 0.05 } });

            // FAR 0.2 allows 2 false accepts, but two impostors tie at 0.5: a threshold of 0.5 would accept 3 (FAR 0.3).
            var t = m.TarAtFar[0];
            Assert.True(t.IsSupported);
            Assert.Equal(2, t.FalseAcceptBudget);
            Assert.Equal(MathF.BitIncrement(0.5f), (float)t.Threshold.Value);
            Assert.Equal(0.1, t.AchievedFar.Value, 12);
            Assert.Equal(0.5, t.Tar.Value, 12);
            Assert.Equal(1, t.FalseAccepts);
            Assert.Equal(0.1, m.TarAtFar[1].AchievedFar.Value, 12);

            // floor(0.05 * 10) = 0: the data cannot support FAR 0.05.
            Assert.False(m.TarAtFar[2].IsSupported);
            Assert.Null(m.TarAtFar[2].Tar);
            Assert.Equal(0.1, m.TarAtFar[2].LowestSupportableFar, 12);

            // At 0.5: FAR 3/10, FRR 1/4, |D| = 0.05, the smallest over the candidates.
            Assert.Equal(0.275, m.Eer, 12);
            Assert.Equal(0.5, m.EerThreshold, 6);

            // 10 + 9.5 + 8 + 7 of 40.
            Assert.Equal(34.5 / 40, m.Auc, 12);

            // 11 of 14 correct at 0.4, 0.8 and 0.9: the lowest wins.
            Assert.Equal(11.0 / 14, m.BestAccuracy, 12);
            Assert.Equal(0.4, m.BestAccuracyThreshold, 6);
            Assert.Equal(ReferenceMetrics.DPrime(genuine, impostor), m.DPrime.Value, 9);
            Assert.Equal(4, m.GenuinePairs);
            Assert.Equal(10, m.ImpostorPairs);
        }

        [Fact]
        public void AllScoresEqual()
        {
            var m = Completed(new[] { 0.5f, 0.5f }, new[] { 0.5f, 0.5f, 0.5f, 0.5f }, new VerificationOptions { FarTargets = new[] { 0.25 } });
            Assert.Equal(0.0, m.TarAtFar[0].Tar.Value);
            Assert.Equal(0.0, m.TarAtFar[0].AchievedFar.Value);
            Assert.Equal(0.5, m.Eer, 12); // only candidate 0.5: FAR 1, FRR 0
            Assert.Equal(0.5, m.Auc, 12);
            Assert.Equal(4.0 / 6, m.BestAccuracy, 12); // rejecting everything beats accepting everything
            Assert.True(m.BestAccuracyThreshold > 1);
            Assert.Null(m.DPrime); // both variances are zero
        }

        [Fact]
        public void OneImpostor()
        {
            var m = Completed(new[] { 0.9f, 0.7f }, new[] { 0.8f }, new VerificationOptions { FarTargets = new[] { 0.1 } });
            Assert.False(m.TarAtFar[0].IsSupported);
            Assert.Equal(1.0, m.TarAtFar[0].LowestSupportableFar);

            // |D| is 0.5 at 0.8 and at 0.9: the lower threshold wins.
            Assert.Equal(0.75, m.Eer, 12);
            Assert.Equal(0.8, m.EerThreshold, 6);
            Assert.Equal(0.5, m.Auc, 12);
        }

        [Fact]
        public void ZeroBudgetsAreInsufficientNotNumbers()
        {
            var m = Completed(new[] { 0.9f, 0.7f, 0.6f }, new[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f }, new VerificationOptions());
            Assert.All(m.TarAtFar, t =>
            {
                Assert.False(t.IsSupported);
                Assert.Null(t.Tar);
                Assert.Null(t.Threshold);
                Assert.Equal(0, t.FalseAcceptBudget);
                Assert.Equal(0.2, t.LowestSupportableFar, 12);
            });
        }

        [Fact]
        public void UnmeasurableInputGetsErrorsNotNumbers()
        {
            var noGenuine = TestData.Measure(TestData.Comparisons("m", new float[0], new[] { 0.1f, 0.2f }));
            Assert.Empty(noGenuine.Results);
            Assert.Equal("NoGenuinePairs", noGenuine.Problems.Single().Id);

            var oneIdentity = TestData.Measure(TestData.Comparisons("m", new[] { 0.9f, 0.8f }, new float[0], identities: 1));
            Assert.Empty(oneIdentity.Results);
            Assert.Equal("NoImpostorPairs", oneIdentity.Problems.Single().Id);

            var list = TestData.Comparisons("m", new[] { 0.9f, 0.8f }, new[] { 0.1f, 0.2f });
            list.Add(TestData.Comparison("m", "id1/x.png", "id2/y.png", "id1", "id2", double.NaN, false));
            var nan = TestData.Measure(list);
            Assert.Empty(nan.Results);
            Assert.Equal("InvalidSimilarity", nan.Problems.Single().Id);
            Assert.True(nan.Problems.Single().ModelFailed);
        }

        [Theory]
        [InlineData(1, 0, 1 << 23, 2500)]
        [InlineData(2, 40, 1 << 23, 2500)]
        [InlineData(3, 40, 16, 2500)]
        [InlineData(4, 8, 16, 2500)]
        [InlineData(5, 0, 16, 900)]
        public void RandomScoresWithTiesMatchTheDefinitions(int seed, int grid, int maxTail, int impostors)
        {
            var rng = new Random(seed);
            var genuine = TestData.Scores(rng, 300, 0.55, 0.2, grid);
            var impostor = TestData.Scores(rng, impostors, 0.1, 0.2, grid);
            var options = new VerificationOptions { FarTargets = new[] { 0.57, 0.3, 0.1, 0.05, 1e-2, 1e-3, 1e-4 }, MaxTailEntries = maxTail, Folds = 10 };
            var comparisons = TestData.Comparisons("m", genuine, impostor);
            var outcome = TestData.Measure(comparisons, options);
            Assert.Empty(outcome.Problems);
            var m = outcome.Results.Single().Completed;
            if (maxTail < 100 && impostors < 1000) { Assert.Contains(outcome.Notes, n => n.Contains("pass 2")); }


            foreach (var (t, target) in m.TarAtFar.Zip(options.FarTargets, (t, f) => (t, f)))
            {
                var r = ReferenceMetrics.TarAtFar(genuine, impostor, target);
                Assert.Equal(r.Supported, t.IsSupported);
                if (!r.Supported) { continue; }
                Assert.Equal(r.Budget, t.FalseAcceptBudget);
                Assert.Equal(r.Threshold, (float)t.Threshold.Value);
                Assert.Equal(r.Tar, t.Tar.Value, 12);
                Assert.Equal(r.AchievedFar, t.AchievedFar.Value, 12);
                Assert.True(t.AchievedFar <= target, $"achieved FAR {t.AchievedFar} above target {target}");
            }

            var eer = ReferenceMetrics.Eer(genuine, impostor);
            Assert.Equal(eer.Eer, m.Eer, 12);
            Assert.Equal(eer.Threshold, (float)m.EerThreshold);
            Assert.Equal(ReferenceMetrics.Auc(genuine, impostor), m.Auc, 12);
            var best = ReferenceMetrics.BestAccuracy(genuine, impostor);
            Assert.Equal(best.Accuracy, m.BestAccuracy, 12);
            Assert.Equal(best.Threshold, (float)m.BestAccuracyThreshold);
            var scores = comparisons.Select(c => (float)c.Similarity).ToArray();
            var labels = comparisons.Select(c => c.IsGenuine.Value).ToArray();
            var kfold = ReferenceMetrics.KFold(scores, labels, 10);
            Assert.Equal(kfold.Mean, m.KFoldAccuracyMean.Value, 12);
            Assert.Equal(kfold.Std, m.KFoldAccuracyStandardDeviation.Value, 12);
            Assert.Equal(ReferenceMetrics.DPrime(genuine, impostor), m.DPrime.Value, 9);
            Assert.Equal(genuine.Length, m.Genuine.Count);
            Assert.Equal(impostor.Max(), (float)m.Impostor.Maximum.Value);
            Assert.Equal(genuine.Min(), (float)m.Genuine.Minimum.Value);

            // Every ROC point is the exact rate pair of its threshold.
            foreach (var p in m.Roc)
            {
                Assert.Equal(ReferenceMetrics.Far(impostor, (float)p.Threshold), p.Far, 12);
                Assert.Equal(1 - ReferenceMetrics.Frr(genuine, (float)p.Threshold), p.Tar, 12);
            }

            Assert.Equal(impostor.Length, m.Histogram.Impostor.Sum());
            Assert.Equal(genuine.Length, m.Histogram.Genuine.Sum());
            for (int b = 0; b < m.Histogram.Genuine.Length; b++)
            {
                double lo = m.Histogram.BinEdges[b], hi = m.Histogram.BinEdges[b + 1];
                bool last = b == m.Histogram.Genuine.Length - 1;
                Assert.Equal(impostor.Count(s => s >= lo && (s < hi || last)), m.Histogram.Impostor[b]);
            }
        }

        [Fact]
        public void DeepOrderStatisticsResolveInTheFirstPassWhenTheSamplePredictsThem()
        {
            var rng = new Random(17);
            var genuine = TestData.Scores(rng, 300, 0.55, 0.2, 300);
            var impostor = TestData.Scores(rng, 200000, 0.1, 0.2, 300);
            var options = new VerificationOptions { FarTargets = new[] { 0.3, 0.1, 0.05 }, MaxTailEntries = 256 };
            var outcome = TestData.Measure(TestData.Comparisons("m", genuine, impostor), options);
            Assert.False(outcome.Notes.Any(n => n.Contains("pass 2")), string.Join(" / ", outcome.Notes));
            var m = outcome.Results.Single().Completed;
            for (int t = 0; t < options.FarTargets.Length; t++)
            {
                var r = ReferenceMetrics.TarAtFar(genuine, impostor, options.FarTargets[t]);
                Assert.Equal(r.Threshold, (float)m.TarAtFar[t].Threshold.Value);
                Assert.Equal(r.Tar, m.TarAtFar[t].Tar.Value, 12);
            }

            var eer = ReferenceMetrics.Eer(genuine, impostor);
            Assert.Equal(eer.Eer, m.Eer, 12);
            Assert.Equal(eer.Threshold, (float)m.EerThreshold);
        }

        [Fact]
        public void AchievedFarNeverExceedsTheTarget()
        {
            var rng = new Random(11);
            for (int round = 0; round < 20; round++)
            {
                var genuine = TestData.Scores(rng, 50, 0.5, 0.3, round % 3 == 0 ? 10 : 0);
                var impostor = TestData.Scores(rng, 50 + rng.Next(700), 0.2, 0.3, round % 3 == 0 ? 10 : 0);
                var targets = Enumerable.Range(0, 12).Select(_ => Math.Round(rng.NextDouble() * 0.6, 3) + 1e-3).ToArray();
                var m = Completed(genuine, impostor, new VerificationOptions { FarTargets = targets, MaxTailEntries = 16 + rng.Next(64) });
                foreach (var t in m.TarAtFar.Where(t => t.IsSupported))
                {
                    Assert.True(t.AchievedFar <= t.TargetFar);
                    Assert.True(t.FalseAccepts <= t.FalseAcceptBudget);
                }
            }
        }

        [Fact]
        public void BudgetReadsTheTargetAsTyped()
        {
            Assert.Equal(57, Statistics.Budget(0.57, 100)); // 0.57 * 100 is 56.99999999999999 in binary floating point
            Assert.Equal(50000, Statistics.Budget(1e-3, 5e7));
            Assert.Equal(0, Statistics.Budget(1e-6, 999999));
        }

        [Fact]
        public void ClopperPearsonMatchesKnownValues()
        {
            // Exact binomial intervals (scipy.stats.beta.ppf): 7 of 10 and 0 of 20.
            Statistics.ClopperPearson(7, 10, 0.95, out var lo, out var hi);
            Assert.Equal(0.3475471499, lo, 8);
            Assert.Equal(0.9332604888, hi, 8);
            Statistics.ClopperPearson(0, 20, 0.95, out lo, out hi);
            Assert.Equal(0, lo);
            Assert.Equal(0.1684334710, hi, 8);
        }
    }
}
