using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The 1:1 measurement as three reusable stages (checked inputs, scores, results), the per-model checks verification
    /// and identification share, and the problems they report (one Problem type, exception kinds kept).
    /// </summary>
    public class MeasurementStagesTests
    {
        private static KeyValuePair<string, List<FaceEmbedding>> Group(string model, IEnumerable<FaceEmbedding> e) =>
            new KeyValuePair<string, List<FaceEmbedding>>(model, e.ToList());

        /// <summary>Identities of clustered random vectors: genuine pairs score higher than impostor pairs, with overlap.</summary>
        private static List<FaceEmbedding> Model(string model, int seed, int identities = 6, int perIdentity = 5, int dim = 12)
        {
            var rng = new Random(seed);
            var list = new List<FaceEmbedding>();
            for (int id = 0; id < identities; id++)
            {
                var centre = Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                for (int k = 0; k < perIdentity; k++)
                {
                    var v = centre.Select(c => c + (float)(rng.NextDouble() - 0.5)).ToArray();
                    list.Add(TestData.Embedding(model, $"id{id}/{k}.png", v));
                }
            }

            return list;
        }

        private static void AssertSameMetrics(VerificationMetrics expected, VerificationMetrics actual)
        {
            Assert.Equal(expected.GenuinePairs, actual.GenuinePairs);
            Assert.Equal(expected.ImpostorPairs, actual.ImpostorPairs);
            Assert.Equal(expected.Eer, actual.Eer);
            Assert.Equal(expected.Auc, actual.Auc);
            Assert.Equal(expected.TarAtFar.Select(t => t.Tar), actual.TarAtFar.Select(t => t.Tar));
        }

        [Fact]
        public void TheThreeStagesComposeToWhatTheEngineMeasures()
        {
            var models = new[] { Group("alpha", Model("alpha", 1)), Group("beta", Model("beta", 2)) };
            var options = new VerificationOptions { FarTargets = new[] { 0.1, 0.01 }, BootstrapSamples = 0, Workers = 2, MaxTailEntries = 16 };
            var whole = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(models, PairProtocol.AllPairs, null);
            Assert.Empty(whole.Problems);

            var problems = new List<ModelProblem>();
            var notes = new List<string>();
            var inputs = VerificationInputs.FromEmbeddings(models, PairProtocol.AllPairs, null, options, problems, notes);
            var scorer = new VerificationScorer(options, null, notes, CancellationToken.None);
            var results = new VerificationResults(options, null, new List<string>(), CancellationToken.None);
            var names = inputs.Models.Select(m => m.Model).ToArray();
            for (int m = 0; m < inputs.Models.Count; m++)
            {
                var scores = scorer.Score(inputs.Models[m], names[m]);
                int refinements = 0;
                var measured = results.Compute(scores, () => { refinements++; scorer.Refine(scores, names[m]); }, names, inputs.IdentityNames, names[m]);
                Assert.Equal(whole.Results[m].Model, measured.Result.Model);
                AssertSameMetrics(whole.Results[m].Completed, measured.Result.Completed);
                AssertSameMetrics(whole.Results[m].SystemLevel, measured.Result.SystemLevel);
                AssertSameMetrics(whole.Results[m].CommonCompleted, measured.Common);
                Assert.True(refinements > 0, "a tail of 16 cannot hold TAR@FAR=0.1 of 375 impostors: the results stage asks for a refinement pass");
            }

            Assert.Empty(problems);
        }

        [Fact]
        public void AnInputBuiltFromASubgroupMeasuresLikeThatSubgroupAlone()
        {
            var all = Model("alpha", 3, identities: 8);
            var options = new VerificationOptions { FarTargets = new[] { 0.1 }, BootstrapSamples = 0, Workers = 1 };
            var inputs = VerificationInputs.FromEmbeddings(new[] { Group("alpha", all) }, PairProtocol.AllPairs, null, options, new List<ModelProblem>(), new List<string>());
            var design = inputs.Models[0].Design;

            // A subgroup filter: the images of identities id0..id4, keeping the identity index of the whole set.
            var keep = Enumerable.Range(0, design.Images.Count).Where(i => string.CompareOrdinal(design.Images[i].Identity, "id5") < 0).ToList();
            var subgroup = new AllPairsDesign(keep.Select(i => design.Images[i]).ToList(), keep.Select(i => design.Identity[i]).ToArray(), new bool[keep.Count], options.Folds);
            var input = new VerificationInput("alpha", "AllPairs", inputs.Models[0].Dimension, subgroup, false);
            var scorer = new VerificationScorer(options, null, null, CancellationToken.None);
            var scores = scorer.Score(input, "alpha");
            var measured = new VerificationResults(options, null, null, CancellationToken.None).Compute(scores, () => scorer.Refine(scores, "alpha"), new[] { "alpha" }, inputs.IdentityNames, "alpha");

            var alone = new VerificationEngine(options, null, CancellationToken.None)
                .MeasureEmbeddings(new[] { Group("alpha", all.Where(e => string.CompareOrdinal(e.Identity, "id5") < 0)) }, PairProtocol.AllPairs, null);
            Assert.Equal(25, measured.Result.ImageCount);
            Assert.Equal(5, measured.Result.IdentityCount);
            AssertSameMetrics(Assert.Single(alone.Results).Completed, measured.Result.Completed);
        }

        [Fact]
        public void OneEngineKeepsConcurrentCallsApart()
        {
            var engine = new VerificationEngine(new VerificationOptions { BootstrapSamples = 0, Workers = 1 }, null, CancellationToken.None);
            var clean = new[] { Group("alpha", Model("alpha", 4)) };
            var repeated = Model("beta", 5);
            repeated.Add(repeated[0]);
            var withRepeat = new[] { Group("beta", repeated) };
            var calls = Enumerable.Range(0, 24).Select(i => Task.Run(() => i % 2 == 0
                ? (Clean: true, Outcome: engine.MeasureEmbeddings(clean, PairProtocol.AllPairs, null))
                : (Clean: false, Outcome: engine.MeasureEmbeddings(withRepeat, PairProtocol.AllPairs, null)))).ToArray();
            Task.WaitAll(calls);
            foreach (var call in calls.Select(c => c.Result))
            {
                Assert.Equal(call.Clean ? "alpha" : "beta", Assert.Single(call.Outcome.Results).Model);
                if (call.Clean) { Assert.Empty(call.Outcome.Problems); }
                else { Assert.Equal("DuplicateImage", Assert.Single(call.Outcome.Problems).Id); }
            }
        }

        [Fact]
        public void TheEngineLeavesTheCallersOptionsAsGiven()
        {
            var options = new VerificationOptions { FarTargets = new[] { 0.1, 0.01 }, OperatingFar = 0.05 };
            var engine = new VerificationEngine(options, null, CancellationToken.None);
            Assert.Equal(new[] { 0.1, 0.01 }, options.FarTargets);
            Assert.Equal(new[] { 0.1, 0.05, 0.01 }, engine.Options.FarTargets);
        }

        public static IEnumerable<object[]> BadInputs()
        {
            var good = new[] { 1f, 0f, 0f };
            yield return new object[] { "DimensionMismatch", new[] { TestData.Embedding("m", "a/1.png", good), TestData.Embedding("m", "a/2.png", new[] { 1f, 0f }), TestData.Embedding("m", "b/1.png", good) } };
            yield return new object[] { "InvalidEmbedding", new[] { TestData.Embedding("m", "a/1.png", good), TestData.Embedding("m", "a/2.png", new[] { float.NaN, 0f, 0f }), TestData.Embedding("m", "b/1.png", good) } };
            yield return new object[] { "InvalidEmbedding", new[] { TestData.Embedding("m", "a/1.png", good), TestData.Embedding("m", "a/2.png", new[] { 0f, 0f, 0f }), TestData.Embedding("m", "b/1.png", good) } };
        }

        [Theory]
        [MemberData(nameof(BadInputs))]
        public void VerificationAndIdentificationRefuseABadModelAlike(string id, FaceEmbedding[] embeddings)
        {
            var verification = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("m", embeddings) }, PairProtocol.AllPairs, null);
            var identification = new IdentificationEngine(new IdentificationOptions(), null, CancellationToken.None).Measure(new[] { Group("m", embeddings) });
            var v = Assert.Single(verification.Problems);
            var i = Assert.Single(identification.Problems);
            Assert.Equal(id, v.Id);
            Assert.Equal(v.Id, i.Id);
            Assert.Equal(v.Message, i.Message);
            Assert.Same(v.Target, i.Target);
            Assert.Equal(v.Problem.Category, i.Problem.Category);
            Assert.True(v.ModelFailed && i.ModelFailed);
            Assert.Empty(verification.Results);
            Assert.Empty(identification.Results);
        }

        [Fact]
        public void ProblemsKeepTheKindOfTheirCause()
        {
            var one = Model("m", 6, identities: 1);
            var unmeasurable = Assert.Single(new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(new[] { Group("m", one) }, PairProtocol.AllPairs, null).Problems);
            Assert.Equal("NoImpostorPairs", unmeasurable.Id);
            Assert.Equal(ProblemCategory.InvalidData, unmeasurable.Problem.Category);
            Assert.IsType<UnmeasurableException>(unmeasurable.Problem.Exception);
            Assert.StartsWith("Model 'm': ", unmeasurable.Message);
            Assert.Equal("m", unmeasurable.Model);
            Assert.False(unmeasurable.Problem.Terminating, "one model's problem never stops the others");

            var models = new[] { Group("m", Model("m", 7)) };
            var list = new[] { new PairListEntry("id0/0.png", "id0/1.png", true, 1), new PairListEntry("id0/0.png", "id1/0.png", false, 2), new PairListEntry("id0/0.png", "nobody/1.png", false, 3) };
            var missing = Assert.Single(new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(models, PairProtocol.PairList, list).Problems);
            Assert.Equal("PairImageNotFound", missing.Id);
            Assert.Equal(ProblemCategory.ObjectNotFound, missing.Problem.Category);
            Assert.IsType<KeyNotFoundException>(missing.Problem.Exception);
            Assert.Equal("nobody/1.png", missing.Target);
            Assert.False(missing.ModelFailed);

            var repeated = Model("m", 8);
            repeated.Add(repeated[3]);
            var duplicate = Assert.Single(new IdentificationEngine(new IdentificationOptions(), null, CancellationToken.None).Measure(new[] { Group("m", repeated) }).Problems);
            Assert.Equal("DuplicateImage", duplicate.Id);
            Assert.IsType<InvalidDataException>(duplicate.Problem.Exception);
            Assert.Same(repeated[3], duplicate.Target);

            var conflict = Assert.Single(new IdentificationEngine(new IdentificationOptions { NameComparer = PathStyle.Windows.Comparer }, null, CancellationToken.None)
                .Measure(new[] { Group("m", Model("m", 9)), Group("M", Model("M", 9)) }).Problems);
            Assert.Equal("ModelNameCaseConflict", conflict.Id);
            Assert.IsType<ArgumentException>(conflict.Problem.Exception);
            Assert.Equal(ProblemCategory.InvalidArgument, conflict.Problem.Category);
        }
    }
}
