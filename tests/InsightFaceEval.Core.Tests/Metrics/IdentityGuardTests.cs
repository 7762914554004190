using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>Data naming one person is refused by 1:1 and 1:N measurement alike, with the diagnosis a user needs.</summary>
    public class IdentityGuardTests
    {
        private static float[] At(double degrees) => new[] { (float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180) };

        private static List<KeyValuePair<string, List<FaceEmbedding>>> One(List<FaceEmbedding> images) =>
            new List<KeyValuePair<string, List<FaceEmbedding>>> { new KeyValuePair<string, List<FaceEmbedding>>("m", images) };

        /// <summary>Four photos in one flat folder: TestData takes the identity from the folder, as the cmdlets do.</summary>
        private static List<FaceEmbedding> FlatFolder() =>
            Enumerable.Range(0, 4).Select(i => TestData.Embedding("m", $"photos/img{i}.jpg", At(i * 40))).ToList();

        [Fact]
        public void IdentificationOnOneIdentityIsRefusedNotReportedAsRankOne100Percent()
        {
            var outcome = new IdentificationEngine(new IdentificationOptions(), null, CancellationToken.None).Measure(One(FlatFolder()));
            Assert.Empty(outcome.Results);
            var issue = Assert.Single(outcome.Problems);
            Assert.Equal("SingleIdentity", issue.Id);
            Assert.True(issue.ModelFailed);
            Assert.Contains("Rank-1 would read 100%", issue.Message);
            Assert.Contains("All 4 images have the identity 'photos': the name of the folder they are in", issue.Message);
            Assert.Contains("-IdentityMap", issue.Message);
        }

        [Fact]
        public void IdentificationWithoutMatedProbesIsRefused()
        {
            var images = new List<FaceEmbedding>
            {
                TestData.Embedding("m", "gallery/alice/a.png", At(0)),
                TestData.Embedding("m", "gallery/bob/b.png", At(90)),
                TestData.Embedding("m", "unknown/x.png", At(45)),
                TestData.Embedding("m", "unknown/y.png", At(135)),
            };
            var outcome = new IdentificationEngine(new IdentificationOptions(), null, CancellationToken.None).Measure(One(images));
            Assert.Empty(outcome.Results);
            Assert.Equal("NoMatedProbes", Assert.Single(outcome.Problems).Id);

            // One mated probe is enough.
            images.Add(TestData.Embedding("m", "probe/alice/1.png", At(10)));
            outcome = new IdentificationEngine(new IdentificationOptions(), null, CancellationToken.None).Measure(One(images));
            Assert.Equal(1.0, Assert.Single(outcome.Results).Completed.Rank1);
        }

        [Fact]
        public void VerificationOnAFlatFolderSaysWhereTheIdentityCameFrom()
        {
            var outcome = new VerificationEngine(new VerificationOptions(), null, CancellationToken.None).MeasureEmbeddings(One(FlatFolder()), PairProtocol.AllPairs, null);
            Assert.Empty(outcome.Results);
            var issue = Assert.Single(outcome.Problems);
            Assert.Equal("NoImpostorPairs", issue.Id);
            Assert.Contains("All 4 images have the identity 'photos': the name of the folder they are in", issue.Message);
            Assert.Contains(IdentityCheck.HowToGiveIdentities, issue.Message);
        }

        [Fact]
        public void CropsOfAFlatPhotoFolderAreTracedToThePhotosFolder()
        {
            // New-FaceCrop of photos/*.jpg into crops/: flat crop paths, each labelled with its photo's folder.
            var comparisons = new List<FaceComparison>
            {
                TestData.Comparison("m", "img0_0.png", "img1_0.png", "photos", "photos", 0.6, true),
                TestData.Comparison("m", "img0_0.png", "img2_0.png", "photos", "photos", 0.2, true),
            };
            var outcome = TestData.Measure(comparisons);
            var issue = Assert.Single(outcome.Problems);
            Assert.Equal("NoImpostorPairs", issue.Id);
            Assert.Contains("All 3 images have the identity 'photos': most likely the name of the one folder the photos were in", issue.Message);
        }

        [Fact]
        public void TwoIdentitiesPassAndAGivenIdentityIsCalledGiven()
        {
            Assert.Null(IdentityCheck.SingleIdentity(FlatFolder(), new[] { "a", "b", "a", "a" }));
            var nested = Enumerable.Range(0, 2).Select(i => new FaceEmbedding($"/data/set/p/{i}.png", $"set/p/{i}.png", "alice", "m", At(i), EmbeddingStatus.Success, null, null, TimeSpan.Zero, false)).ToList();
            Assert.Contains("as given with them", IdentityCheck.SingleIdentity(nested, new[] { "alice", "alice" }));
        }
    }
}
