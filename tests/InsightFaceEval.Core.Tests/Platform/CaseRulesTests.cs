using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests.Platform
{
    /// <summary>Model names and pair-list keys under Windows rules (without case) and Linux/macOS rules (with case).</summary>
    public class CaseRulesTests
    {
        private static KeyValuePair<string, List<FaceEmbedding>> Group(string model, params FaceEmbedding[] e) =>
            new KeyValuePair<string, List<FaceEmbedding>>(model, e.ToList());

        private static FaceEmbedding[] FourImages(string model) => new[]
        {
            TestData.Embedding(model, "alice/1.png", new[] { 1f, 0f }),
            TestData.Embedding(model, "alice/2.png", new[] { 0.9f, 0.1f }),
            TestData.Embedding(model, "bob/1.png", new[] { 0f, 1f }),
            TestData.Embedding(model, "bob/2.png", new[] { 0.1f, 0.9f }),
        };

        [Fact]
        public void ModelNamesThatDifferOnlyInCaseConflictUnderWindowsRules()
        {
            var message = ModelNames.CaseConflict(new[] { "dingo", "eagle", "Dingo" }, PathStyle.Windows.Comparer);
            Assert.Contains("'dingo' and 'Dingo' differ only in case", message);
            Assert.Null(ModelNames.CaseConflict(new[] { "dingo", "eagle", "Dingo" }, PathStyle.Unix.Comparer));
            Assert.Null(ModelNames.CaseConflict(new[] { "dingo", "dingo" }, PathStyle.Windows.Comparer)); // a repeat is the same model
        }

        [Fact]
        public void VerificationRefusesTheSecondOfTwoModelsThatDifferOnlyInCaseOnWindows()
        {
            var engine = new VerificationEngine(new VerificationOptions { NameComparer = PathStyle.Windows.Comparer }, null, CancellationToken.None);
            var outcome = engine.MeasureEmbeddings(new[] { Group("dingo", FourImages("dingo")), Group("Dingo", FourImages("Dingo")) }, PairProtocol.AllPairs, null);
            Assert.Equal(new[] { "dingo" }, outcome.Results.Select(r => r.Model).ToArray());
            var issue = Assert.Single(outcome.Problems, i => i.Id == "ModelNameCaseConflict");
            Assert.Equal("Dingo", issue.Target);
            Assert.Equal(ProblemCategory.InvalidArgument, issue.Problem.Category);

            var unix = new VerificationEngine(new VerificationOptions { NameComparer = PathStyle.Unix.Comparer }, null, CancellationToken.None)
                .MeasureEmbeddings(new[] { Group("dingo", FourImages("dingo")), Group("Dingo", FourImages("Dingo")) }, PairProtocol.AllPairs, null);
            Assert.Equal(2, unix.Results.Count);
        }

        [Fact]
        public void IdentificationRefusesTheSecondOfTwoModelsThatDifferOnlyInCaseOnWindows()
        {
            var outcome = new IdentificationEngine(new IdentificationOptions { NameComparer = PathStyle.Windows.Comparer }, null, CancellationToken.None)
                .Measure(new[] { Group("dingo", FourImages("dingo")), Group("DINGO", FourImages("DINGO")) });
            Assert.Contains(outcome.Problems, i => i.Id == "ModelNameCaseConflict" && (string)i.Target == "DINGO");
            Assert.DoesNotContain(outcome.Problems, i => i.Id == "ModelNameCaseConflict" && (string)i.Target == "dingo");
        }

        [Fact]
        public void PairListKeysMatchWithoutCaseOnWindowsAndWithCaseElsewhere()
        {
            var pairs = new List<PairListEntry>
            {
                new PairListEntry(@"Alice\1.png", "ALICE/2.png", true, 1),
                new PairListEntry("alice/1.png", "Bob/1.png", false, 2),
            };
            var windows = new VerificationEngine(new VerificationOptions { NameComparer = PathStyle.Windows.Comparer }, null, CancellationToken.None)
                .MeasureEmbeddings(new[] { Group("m", FourImages("m")) }, PairProtocol.PairList, pairs);
            Assert.Empty(windows.Problems);
            var r = Assert.Single(windows.Results);
            Assert.Equal(1, r.Completed.GenuinePairs);
            Assert.Equal(1, r.Completed.ImpostorPairs);

            var unix = new VerificationEngine(new VerificationOptions { NameComparer = PathStyle.Unix.Comparer }, null, CancellationToken.None)
                .MeasureEmbeddings(new[] { Group("m", FourImages("m")) }, PairProtocol.PairList, pairs);
            Assert.Contains(unix.Problems, i => i.Id == "PairImageNotFound" && (string)i.Target == @"Alice\1.png");
        }
    }
}
