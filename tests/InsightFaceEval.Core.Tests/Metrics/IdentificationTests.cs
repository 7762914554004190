using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class IdentificationTests
    {
        private static IdentificationOutcome Measure(List<FaceEmbedding> images, IdentificationOptions options = null) =>
            new IdentificationEngine(options ?? new IdentificationOptions(), null, CancellationToken.None)
                .Measure(new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", images) });

        [Fact]
        public void HandWorkedRanksWithTiesAndOpenSet()
        {
            // 2-D unit vectors: cosines are easy to read. Gallery: alice at 0 degrees, bob at 90, carol at 180.
            float[] At(double degrees) => new[] { (float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180) };
            var images = new List<FaceEmbedding>
            {
                TestData.Embedding("m", "gallery/alice/a.png", At(0)),
                TestData.Embedding("m", "gallery/bob/b.png", At(90)),
                TestData.Embedding("m", "gallery/carol/c.png", At(180)),
                TestData.Embedding("m", "probe/alice/1.png", At(10)),   // rank 1
                TestData.Embedding("m", "probe/alice/2.png", At(45)),   // alice and bob tie: ties count against, rank 2
                TestData.Embedding("m", "probe/bob/1.png", At(-20)),    // alice first: rank 2
                TestData.Embedding("m", "probe/carol/1.png", At(170)),  // rank 1
                TestData.Embedding("m", "probe/carol/2.png", Array.Empty<float>(), EmbeddingStatus.NoFace),
                TestData.Embedding("m", "unknown/x.png", At(60)),       // top-1 bob, cos 30 = 0.866
                TestData.Embedding("m", "unknown/y.png", At(135)),      // top-1 bob/carol, cos 45 = 0.707
                TestData.Embedding("m", "readme.png", At(0)),
            };
            var outcome = Measure(images, new IdentificationOptions { FpirTargets = new[] { 0.5, 0.1 }, MaxRank = 5 });
            var r = outcome.Results.Single();
            Assert.Equal("Folders", r.Layout);
            Assert.Equal(3, r.GalleryIdentities);
            Assert.Contains(outcome.Notes, n => n.Contains("1 image(s) outside"));

            var c = r.Completed;
            Assert.Equal(4, c.MatedProbes);
            Assert.Equal(2, c.NonMatedProbes);
            Assert.Equal(0.5, c.Rank1.Value, 12);
            Assert.Equal(1.0, c.Cmc[1].IdentificationRate, 12);
            Assert.Equal(3, c.Cmc.Length);

            // FPIR 0.5 of 2 non-mated: budget 1, threshold just above the 2nd highest top-1 score (0.707).
            var t = c.TpirAtFpir[0];
            Assert.True(t.IsSupported);
            Assert.Equal(MathF.BitIncrement((float)Math.Cos(Math.PI / 4)), (float)t.Threshold.Value, 5);
            Assert.Equal(0.5, t.AchievedFpir.Value, 12);
            Assert.Equal(0.5, t.Tpir.Value, 12); // alice/1 (0.985) and carol/1 (0.985) are rank-1 above it
            Assert.False(c.TpirAtFpir[1].IsSupported);
            Assert.Equal(0.5, c.TpirAtFpir[1].LowestSupportableFpir);

            // System level: the failed carol probe is a miss.
            Assert.Equal(5, r.SystemLevel.MatedProbes);
            Assert.Equal(0.4, r.SystemLevel.Rank1.Value, 12);
            Assert.Equal(1, r.SystemLevel.FailedMatedProbes);
        }

        [Fact]
        public void RandomGalleriesMatchABruteForceSearch()
        {
            var rng = new Random(3);
            var images = new List<FaceEmbedding>();
            for (int id = 0; id < 40; id++)
            {
                var center = Enumerable.Range(0, 24).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                for (int k = 0; k < 4; k++)
                {
                    var v = center.Select(x => x + (float)(rng.NextDouble() - 0.5) * 0.9f).ToArray();
                    images.Add(TestData.Embedding("m", $"id{id:D2}/{k}.png", v));
                }
            }

            var outcome = Measure(images, new IdentificationOptions { MaxRank = 10, Workers = 3, BlockBudget = 4096 });
            var r = outcome.Results.Single();
            Assert.Equal("AutoSplit", r.Layout);
            Assert.Equal(40, r.GalleryTemplates);

            // Brute force: the first image of each identity is its gallery; rank = 1 + identities scoring >= the true one.
            var all = EmbeddingMatrix.FromVectors(images.Select(e => e.Vector).ToList(), 24);
            var ranks = new List<int>();
            for (int p = 0; p < images.Count; p++)
            {
                if (p % 4 == 0) { continue; }
                var scores = Enumerable.Range(0, 40).Select(g => all.Score(p, g * 4)).ToArray();
                ranks.Add(scores.Count(s => s >= scores[p / 4]));
            }

            for (int k = 1; k <= 10; k++)
            {
                Assert.Equal((double)ranks.Count(x => x <= k) / ranks.Count, r.Completed.Cmc[k - 1].IdentificationRate, 12);
            }

            Assert.Empty(r.Completed.TpirAtFpir); // closed set: no one unknown
        }
    }
}
