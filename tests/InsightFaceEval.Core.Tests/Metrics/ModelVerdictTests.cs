using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>Which model a comparison recommends, and why (metrics.md, "Choosing a model").</summary>
    public class ModelVerdictTests
    {
        private const int Dimension = 48;

        /// <summary>
        /// 40 identities x 4 images. Every third identity has one hard image (heavy noise: its genuine scores are low and
        /// spread). "steady" embeds every image; "dropper" embeds the same vectors but fails to acquire the hard images,
        /// so its completed-only numbers lose exactly the hardest pairs.
        /// </summary>
        internal static (List<FaceEmbedding> Steady, List<FaceEmbedding> Dropper) HardImagesDropped(int seed)
        {
            var rng = new Random(seed);
            var steady = new List<FaceEmbedding>();
            var dropper = new List<FaceEmbedding>();
            for (int id = 0; id < 40; id++)
            {
                var center = Gaussian(rng, 1.0);
                for (int k = 0; k < 4; k++)
                {
                    bool hard = k == 0 && id % 3 == 0;
                    var noise = Gaussian(rng, hard ? 1.9 : 0.35);
                    var v = center.Select((x, i) => x + noise[i]).ToArray();
                    string rel = $"id{id:D2}/img{k}.png";
                    steady.Add(TestData.Embedding("steady", rel, v));
                    dropper.Add(TestData.Embedding("dropper", rel, v, hard ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                }
            }

            return (steady, dropper);
        }

        internal static float[] Gaussian(Random rng, double sd) =>
            Enumerable.Range(0, Dimension).Select(_ => (float)(sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();

        internal static VerificationOutcome Measure(IEnumerable<KeyValuePair<string, List<FaceEmbedding>>> models, int bootstrap = 200, double? operatingFar = null)
        {
            var options = new VerificationOptions { FarTargets = new[] { 1e-1, 1e-2, 1e-3 }, BootstrapSamples = bootstrap, BootstrapSeed = 7, Workers = 2, OperatingFar = operatingFar };
            return new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(models.ToList(), PairProtocol.AllPairs, null);
        }

        private static KeyValuePair<string, List<FaceEmbedding>> Group(string model, List<FaceEmbedding> e) => new KeyValuePair<string, List<FaceEmbedding>>(model, e);

        [Fact]
        public void TheRecommendationFollowsSystemLevelNotTheCompletedOnlyFigures()
        {
            var (steady, dropper) = HardImagesDropped(11);
            var outcome = Measure(new[] { Group("steady", steady), Group("dropper", dropper) });
            var s = outcome.Results.Single(r => r.Model == "steady");
            var d = outcome.Results.Single(r => r.Model == "dropper");
            var c = outcome.Comparisons.Single();

            // The trap: on the pairs each completed, the model that dropped the hard faces looks better.
            Assert.True(d.Completed.Eer < s.Completed.Eer, $"completed EER: dropper {d.Completed.Eer}, steady {s.Completed.Eer}");
            double far = c.OperatingFar.Value;
            Assert.Equal(1e-3, far, 12); // the strictest FAR every model supports: 1e-3 of 12,480 impostor pairs is 12 false accepts
            var completed = c.Views.Single(v => v.PairSet == PairSet.Completed);
            Assert.True(completed.DifferenceValue > completed.ReferenceValue, "dropper's completed-only TAR is higher");

            // The decision is made at system level, where the dropped images are rejected genuine users.
            var system = c.Views[0];
            Assert.Equal(PairSet.SystemLevel, system.PairSet);
            Assert.Equal("steady", c.RecommendedModel);
            Assert.Equal("steady", c.BetterModel);
            Assert.Equal("SystemLevel TAR@FAR=1e-3", c.DecidedBy);
            Assert.True(system.Upper < 0, $"system-level interval [{system.Lower}, {system.Upper}] lies below zero");
            Assert.Equal(d.SystemLevel.TarAtFar[2].Tar.Value - s.SystemLevel.TarAtFar[2].Tar.Value, system.Difference.Value, 12);
            Assert.StartsWith("Pick steady: at FAR 1e-3", c.Recommendation);
            Assert.Contains("system level", c.Recommendation);

            // FTA has its own interval; the disagreement is explained.
            Assert.Equal("FTA", c.FailureToAcquire.Metric);
            Assert.True(c.FailureToAcquire.Lower > 0, "dropper fails more, interval excludes zero");
            Assert.Equal("steady", c.FailureToAcquire.BetterModel);
            Assert.Contains("dropper looks better", c.Disagreement);
            Assert.Contains("system-level view decides", c.Disagreement);

            // The per-model results carry the overall recommendation, and the rule.
            Assert.True(s.IsRecommended);
            Assert.False(d.IsRecommended);
            Assert.Equal(c.Recommendation, s.Recommendation);
            Assert.Equal(MetricDefinitions.Recommendation, c.Definitions);
        }

        [Fact]
        public void TwinModelsGetNoRecommendation()
        {
            var (steady, _) = HardImagesDropped(3);
            var twin = steady.Select(e => TestData.Embedding("twin", e.RelativePath, e.Vector)).ToList();
            var outcome = Measure(new[] { Group("steady", steady), Group("twin", twin) });
            var c = outcome.Comparisons.Single();
            Assert.Null(c.RecommendedModel);
            Assert.Equal("no clear difference", c.Verdict);
            Assert.StartsWith("No clear difference", c.Recommendation);
            Assert.Null(c.Disagreement);
            Assert.DoesNotContain(outcome.Results, r => r.IsRecommended);
        }

        [Fact]
        public void WithThreeModelsTheOneThatBeatsEveryOtherIsRecommendedOverall()
        {
            var (steady, dropper) = HardImagesDropped(11);
            var rng = new Random(2);
            // "noisy": the same identities with far more noise on every image, clearly worst at system level.
            var noisy = steady.Select(e => TestData.Embedding("noisy", e.RelativePath, e.Vector.Select(x => x + (float)(rng.NextDouble() * 6 - 3)).ToArray())).ToList();
            var outcome = Measure(new[] { Group("steady", steady), Group("dropper", dropper), Group("noisy", noisy) });
            Assert.Equal(3, outcome.Comparisons.Count);
            Assert.Equal(new[] { "steady" }, outcome.Results.Where(r => r.IsRecommended).Select(r => r.Model).ToArray());
            Assert.StartsWith("Pick steady: it is recommended over each of the other 2 models", outcome.Results[0].Recommendation);
            Assert.All(outcome.Results, r => Assert.Equal(outcome.Results[0].Recommendation, r.Recommendation));
        }

        [Fact]
        public void WithoutABootstrapThereIsNoRecommendation()
        {
            var (steady, dropper) = HardImagesDropped(11);
            var c = Measure(new[] { Group("steady", steady), Group("dropper", dropper) }, bootstrap: 0).Comparisons.Single();
            Assert.Null(c.RecommendedModel);
            Assert.StartsWith("No recommendation", c.Recommendation);
            Assert.Null(c.Views[0].Lower);
        }

        [Fact]
        public void AnOperatingFarOutsideTheTargetsIsMeasuredAndUsed()
        {
            var (steady, dropper) = HardImagesDropped(11);
            var outcome = Measure(new[] { Group("steady", steady), Group("dropper", dropper) }, operatingFar: 5e-3);
            var c = outcome.Comparisons.Single();
            Assert.Equal(5e-3, c.OperatingFar.Value, 12);
            Assert.Equal("TAR@FAR=5e-3", c.Views[0].Metric);
            Assert.Contains(outcome.Results[0].SystemLevel.TarAtFar, t => Math.Abs(t.TargetFar - 5e-3) < 1e-15 && t.IsSupported);
            Assert.Equal("steady", c.RecommendedModel);
        }

        [Fact]
        public void ARandomModelIsNotReadAsAccurateWhereImpostorsOutnumberGenuines()
        {
            // 60 identities x 2 images of pure noise: 60 genuine and 7,080 impostor pairs.
            var rng = new Random(4);
            var random = new List<FaceEmbedding>();
            for (int id = 0; id < 60; id++)
            {
                for (int k = 0; k < 2; k++) { random.Add(TestData.Embedding("random", $"id{id:D2}/img{k}.png", Gaussian(rng, 1))); }
            }

            var m = Measure(new[] { Group("random", random) }, bootstrap: 0).Results.Single().Completed;
            Assert.True(m.IsImbalanced);
            Assert.True(m.BestAccuracy > 0.99, $"plain best accuracy {m.BestAccuracy} is flattering: reject everything and be right 99%");
            Assert.True(m.KFoldAccuracyMean > 0.98);
            Assert.InRange(m.BalancedAccuracy.Value, 0.5, 0.7);
            Assert.InRange(m.KFoldBalancedAccuracyMean.Value, 0.3, 0.65);
            Assert.True(m.BalancedAccuracyThreshold.HasValue);
        }
    }
}
