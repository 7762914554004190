using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// Compare-FaceEmbedding | Measure-FaceVerification must give what Measure-FaceVerification -Embedding gives on the
    /// same data, failures to acquire included: FTA, system-level metrics, identities, bootstrap intervals, everything.
    /// </summary>
    public class ComparisonInputTests
    {
        /// <summary>Two models, 17 identities x 4 images (more than one 64-row kernel block), with failures to acquire in both (some shared, some not).</summary>
        private static (List<FaceEmbedding> A, List<FaceEmbedding> B) TwoModels(Func<int, int, string> path)
        {
            var rng = new Random(11);
            var a = new List<FaceEmbedding>();
            var b = new List<FaceEmbedding>();
            for (int id = 0; id < 17; id++)
            {
                var centre = Enumerable.Range(0, 13).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                for (int k = 0; k < 4; k++)
                {
                    var v = centre.Select(x => x + (float)(rng.NextDouble() - 0.5) * 1.2f).ToArray();
                    var w = centre.Select(x => x + (float)(rng.NextDouble() - 0.5) * 0.6f).ToArray();
                    var rel = path(id, k);
                    a.Add(Embedding("alpha", rel, v, (id * 7 + k) % 9 == 2 || (id == 2 && k == 0)));
                    b.Add(Embedding("beta", rel, w, (id * 5 + k) % 11 == 3 || (id * 7 + k) % 9 == 2));
                }
            }

            return (a, b);
        }

        private static FaceEmbedding Embedding(string model, string relative, float[] vector, bool noFace) =>
            new FaceEmbedding("/data/" + relative, relative, relative.Split('/').Reverse().Skip(1).First(), model,
                noFace ? Array.Empty<float>() : vector, noFace ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false);

        /// <summary>
        /// The outcome as JSON, without the time. Impostor score moments are summed per work unit (kernel tiles from
        /// embeddings, pair-list chunks from comparisons), so d', means and standard deviations are compared to 12 digits;
        /// every other number must be identical.
        /// </summary>
        private static string Json(VerificationOutcome outcome)
        {
            var json = Regex.Replace(JsonSerializer.Serialize(new { outcome.Results, outcome.Comparisons }), "\"MeasuredAt\":\"[^\"]*\"", string.Empty);
            return Regex.Replace(json, "\"(DPrime|Mean|StandardDeviation)\":(-?[0-9.]+(E[-+]?[0-9]+)?)",
                m => $"\"{m.Groups[1].Value}\":{double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).ToString("G12", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        public static IEnumerable<object[]> Protocols() => new[]
        {
            new object[] { PairProtocol.AllPairs, "identity folders" },
            new object[] { PairProtocol.GalleryProbe, "identity folders" },
            new object[] { PairProtocol.GalleryProbe, "1:N folders" },
            new object[] { PairProtocol.PairList, "identity folders" },
        };

        [Theory]
        [MemberData(nameof(Protocols))]
        public void ComparisonsMeasureExactlyLikeTheEmbeddingsTheyCameFrom(PairProtocol protocol, string layout)
        {
            Func<int, int, string> path = (id, k) => $"p{id}/img{k}.png";
            if (layout == "1:N folders")
            {
                // Identities 14 to 16 are not enrolled: their images are unknown/ probes, each an identity of its own.
                path = (id, k) => id >= 14 ? $"unknown/p{id}-{k}.png" : k == 0 ? $"gallery/p{id}/img{k}.png" : $"probe/p{id}/img{k}.png";
            }

            var (a, b) = TwoModels(path);
            List<PairListEntry> pairs = null;
            if (protocol == PairProtocol.PairList)
            {
                pairs = new List<PairListEntry>();
                for (int i = 0; i < a.Count; i++)
                {
                    for (int j = i + 1; j < a.Count; j += 3) { pairs.Add(new PairListEntry(a[j].RelativePath, a[i].RelativePath, a[i].Identity == a[j].Identity, pairs.Count + 1)); }
                }
            }

            var options = new VerificationOptions { FarTargets = new[] { 0.1, 0.01 }, BootstrapSamples = 60, BootstrapSeed = 5, Threshold = 0.3, Workers = 2, HardestPairs = 5 };
            var models = new[] { Group("alpha", a), Group("beta", b) };
            var direct = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(models, protocol, pairs);

            var designs = new VerificationEngine(options, null, CancellationToken.None).Designs(models, protocol, pairs, out var issues, out var names);
            Assert.Empty(issues.Problems);
            var comparisons = designs.Select(d => Group(d.Key, ComparisonBuilder.Enumerate(d.Value, names, null, CancellationToken.None).ToList())).ToList();
            Assert.Contains(comparisons[0].Value, c => c.ReferenceStatus == EmbeddingStatus.NoFace && c.DifferenceStatus == EmbeddingStatus.Success);
            Assert.Contains(comparisons[0].Value, c => c.ReferenceStatus == EmbeddingStatus.Success && c.DifferenceStatus == EmbeddingStatus.NoFace);
            Assert.All(comparisons.SelectMany(m => m.Value), c => Assert.Equal(protocol.ToString(), c.Protocol));
            var viaComparisons = new VerificationEngine(options, null, CancellationToken.None).MeasureComparisons(comparisons);

            Assert.Empty(viaComparisons.Problems);
            Assert.Equal(2, viaComparisons.Results.Count);
            var alpha = viaComparisons.Results[0];
            Assert.True(alpha.FailedImageCount > 0);
            Assert.True(alpha.SystemLevel.FailedGenuinePairs > 0);
            Assert.True(alpha.Completed.TarAtFar[0].TarLower.HasValue);
            Assert.Equal(direct.Results[0].FailureToAcquireRate, alpha.FailureToAcquireRate);
            Assert.Equal(direct.Results[1].ImageCount, viaComparisons.Results[1].ImageCount);
            Assert.Equal(Json(direct), Json(viaComparisons));
            Assert.Equal(direct.Warnings, viaComparisons.Warnings);
        }

        [Fact]
        public void ImagesAreCountedOnceAndFailuresOnlyWhereASideSaysSo()
        {
            var c = new List<FaceComparison>
            {
                TestData.Comparison("m", "a/1.png", "a/2.png", "a", "a", 0.9, true),
                TestData.Comparison("m", "a/1.png", "b/1.png", "a", "b", 0.1, false),
                TestData.Comparison("m", "a/2.png", "b/1.png", "a", "b", 0.2, false),
                TestData.Comparison("m", "a/1.png", "b/2.png", "a", "b", -1, false, statusB: EmbeddingStatus.NoFace),
                TestData.Comparison("m", "b/2.png", "b/1.png", "b", "b", -1, true, statusA: EmbeddingStatus.NoFace),
                TestData.Comparison("m", "a/2.png", "b/2.png", "a", "b", -1, false, statusB: EmbeddingStatus.NoFace),
            };
            var r = TestData.Measure(c, new VerificationOptions { FarTargets = new[] { 0.5 } }).Results.Single();
            Assert.Equal(4, r.ImageCount);
            Assert.Equal(1, r.FailedImageCount);
            Assert.Equal(0.25, r.FailureToAcquireRate);
            Assert.Equal(1, r.SystemLevel.FailedGenuinePairs);
            Assert.Equal(2, r.SystemLevel.FailedImpostorPairs);
            Assert.Equal("Test", r.Protocol);

            // A comparison set that contradicts itself about an image is measured, with a warning that says so.
            c.Add(TestData.Comparison("m", "b/2.png", "a/1.png", "b", "a", 0.3, false));
            var outcome = TestData.Measure(c, new VerificationOptions { FarTargets = new[] { 0.5 } });
            Assert.Contains(outcome.Warnings, w => w.Contains("'b/2.png'") && w.Contains("different extractions"));
            Assert.Equal(1, outcome.Results.Single().FailedImageCount);
        }

        [Fact]
        public void AResultWhoseImagesAreUnknownHasNoFtaRatherThanZero()
        {
            var r = TestData.Measure(TestData.Comparisons("m", new[] { 0.9f, 0.8f }, new[] { 0.1f, 0.2f })).Results.Single();
            var unknown = new VerificationResult(r.Model, r.Protocol, 0, 0, 0, r.IdentityCount, r.Completed, r.SystemLevel, null, null, r.FarTargets, null, r.Folds, 0, 1,
                null, null, null, r.ModuleVersion, r.MeasuredAt);
            Assert.Null(unknown.FailureToAcquireRate);
            Assert.Contains("FTA n/a", unknown.ToString());
            Assert.Equal(0.0, r.FailureToAcquireRate);
        }

        private static KeyValuePair<string, List<T>> Group<T>(string model, List<T> items) => new KeyValuePair<string, List<T>>(model, items);
    }
}
