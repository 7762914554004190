using System;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The input preparation Compare-FaceEmbedding and Measure-FaceVerification share: the pair list read up front, the
    /// embeddings grouped by model, and the check of the rates a measurement is asked for.
    /// </summary>
    public class PairingRequestTests
    {
        private static readonly float[] V = { 1f, 0f };

        [Fact]
        public void GroupsEmbeddingsByExactModelNameInOrderOfFirstAppearance()
        {
            var request = new PairingRequest(EmbeddingProtocol.GalleryProbe);
            request.Add(new[] { TestData.Embedding("eagle", "a/1.png", V), null, TestData.Embedding("dingo", "a/1.png", V) });
            request.Add(new[] { TestData.Embedding("eagle", "b/1.png", V), TestData.Embedding("Eagle", "c/1.png", V) });
            request.Add(null);
            Assert.Equal(PairProtocol.GalleryProbe, request.Protocol);
            Assert.Equal(4, request.Count);
            var groups = request.ByModel();
            Assert.Equal(new[] { "eagle", "dingo", "Eagle" }, groups.Select(g => g.Key).ToArray());
            Assert.Equal(new[] { "a/1.png", "b/1.png" }, groups[0].Value.Select(e => e.RelativePath).ToArray());
        }

        [Fact]
        public void EveryEmbeddingProtocolIsThePairProtocolOfTheSameName()
        {
            foreach (EmbeddingProtocol p in Enum.GetValues(typeof(EmbeddingProtocol)))
            {
                Assert.Equal(p.ToString(), new PairingRequest(p).Protocol.ToString());
            }

            Assert.DoesNotContain(nameof(PairProtocol.PairList), Enum.GetNames(typeof(EmbeddingProtocol)));
        }

        [Fact]
        public void ReadsThePairListAndPairsByIt()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ife-pairing-" + Guid.NewGuid().ToString("N")));
            try
            {
                var csv = Path.Combine(dir.FullName, "pairs.csv");
                File.WriteAllLines(csv, new[] { "image1_path,image2_path,label", "a/1.png,a/2.png,1", "a/1.png,b/1.png,0" });
                var request = new PairingRequest(PairProtocol.PairList);
                Assert.Null(request.ReadPairList(csv));
                Assert.Equal(2, request.PairList.Count);
                request.Add(new[] { TestData.Embedding("m", "a/1.png", V), TestData.Embedding("m", "a/2.png", new[] { 0.9f, 0.1f }), TestData.Embedding("m", "b/1.png", new[] { 0f, 1f }) });
                var designs = new VerificationEngine(null, null, CancellationToken.None).Designs(request.ByModel(), request.Protocol, request.PairList, out var problems, out _);
                Assert.Empty(problems.Problems);
                Assert.Equal(2, Assert.Single(designs).Value.PairCount);
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Fact]
        public void AnIllFormedOrUnreadablePairListIsATerminatingProblemAboutThatFile()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ife-pairing-" + Guid.NewGuid().ToString("N")));
            try
            {
                var bad = Path.Combine(dir.FullName, "bad.csv");
                File.WriteAllLines(bad, new[] { "a.png,b.png,2" });
                var request = new PairingRequest(PairProtocol.PairList);
                var problem = request.ReadPairList(bad);
                Assert.Equal("InvalidPairList", problem.Id);
                Assert.Equal(ProblemCategory.InvalidData, problem.Category);
                Assert.IsType<FormatException>(problem.Exception);
                Assert.Equal(bad, problem.Target);
                Assert.True(problem.Terminating);
                Assert.Contains("line 1: the label must be 1 (genuine) or 0 (impostor), found '2'", problem.Message);
                Assert.Null(request.PairList);

                // A folder where a file should be cannot be read.
                var unreadable = request.ReadPairList(dir.FullName);
                Assert.Equal("PairListUnreadable", unreadable.Id);
                Assert.Equal(ProblemCategory.ReadError, unreadable.Category);
                Assert.True(unreadable.Terminating);
            }
            finally
            {
                dir.Delete(true);
            }
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1.0)]
        [InlineData(-0.1)]
        [InlineData(double.NaN)]
        [InlineData(double.PositiveInfinity)]
        public void RefusesARateOutsideZeroToOne(double bad)
        {
            var far = RateTargets.CheckFar(new[] { 0.1, bad, 2.0 });
            Assert.Equal("InvalidFarTarget", far.Id);
            Assert.Equal(ProblemCategory.InvalidArgument, far.Category);
            Assert.IsAssignableFrom<ArgumentOutOfRangeException>(far.Exception);
            Assert.Equal(bad, (double)far.Target);
            Assert.True(far.Terminating);
            Assert.StartsWith("A target FAR must lie strictly between 0 and 1; ", far.Message);
            Assert.DoesNotContain("Parameter", far.Message);

            Assert.Equal("InvalidFpirTarget", RateTargets.CheckFpir(new[] { bad }).Id);
            Assert.Equal("InvalidOperatingFar", RateTargets.CheckOperatingFar(bad).Id);
            Assert.StartsWith("The operating FAR must lie strictly between 0 and 1; ", RateTargets.CheckOperatingFar(bad).Message);
        }

        [Fact]
        public void AcceptsRatesStrictlyBetweenZeroAndOne()
        {
            Assert.Null(RateTargets.CheckFar(VerificationOptions.DefaultFarTargets));
            Assert.Null(RateTargets.CheckFpir(IdentificationOptions.DefaultFpirTargets));
            Assert.Null(RateTargets.CheckFar(new[] { double.Epsilon, 1 - 1e-12 }));
            Assert.Null(RateTargets.CheckOperatingFar(null));
            Assert.Null(RateTargets.CheckOperatingFar(1e-3));
        }

        [Fact]
        public void CoreMeasurementMessagesNameNoCmdletParameter()
        {
            // One identity: the message says where it came from; how to give identities is the cmdlet's hint.
            var flat = Enumerable.Range(0, 4).Select(i => TestData.Embedding("m", $"photos/{i}.png", new[] { 1f, i })).ToList();
            var verification = new VerificationEngine(null, null, CancellationToken.None).MeasureEmbeddings(new[] { new System.Collections.Generic.KeyValuePair<string, System.Collections.Generic.List<FaceEmbedding>>("m", flat) }, PairProtocol.AllPairs, null);
            var identification = new IdentificationEngine(null, null, CancellationToken.None).Measure(new[] { new System.Collections.Generic.KeyValuePair<string, System.Collections.Generic.List<FaceEmbedding>>("m", flat) });
            var twoModels = new VerificationEngine(new VerificationOptions { BootstrapSamples = 0, OperatingFar = 1e-9, Workers = 1 }, null, CancellationToken.None).MeasureEmbeddings(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, System.Collections.Generic.List<FaceEmbedding>>("a", Enumerable.Range(0, 12).Select(i => TestData.Embedding("a", $"p{i % 3}/{i}.png", new[] { 1f, i % 3, 0.1f * i })).ToList()),
                new System.Collections.Generic.KeyValuePair<string, System.Collections.Generic.List<FaceEmbedding>>("b", Enumerable.Range(0, 12).Select(i => TestData.Embedding("b", $"p{i % 3}/{i}.png", new[] { i % 3, 1f, 0.1f * i })).ToList()),
            }, PairProtocol.AllPairs, null);
            var texts = verification.Problems.Select(p => p.Message)
                .Concat(identification.Problems.Select(p => p.Message))
                .Concat(twoModels.Warnings)
                .Concat(twoModels.Comparisons.SelectMany(c => new[] { c.Verdict, c.Recommendation }))
                .Concat(MetricDefinitions.Verification)
                .ToList();
            Assert.Equal(2, verification.Problems.Count + identification.Problems.Count);
            Assert.NotEmpty(twoModels.Comparisons);
            Assert.Contains(twoModels.Warnings, w => w.Contains("operating FAR asked for"));
            foreach (var text in texts)
            {
                Assert.DoesNotMatch(@"(^|[\s(])-[A-Z][a-z]", text);
            }
        }
    }
}
