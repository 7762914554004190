using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using Xunit;

namespace InsightFaceEval.Tests.Metrics
{
    public class IdentificationBootstrapTests
    {
        /// <summary>gallery/ (one template per person), probe/ (3 per person, one failed), unknown/ (people not enrolled).</summary>
        private static List<FaceEmbedding> Data()
        {
            var rng = new Random(5);
            var list = new List<FaceEmbedding>();
            var centres = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 8).Select(__ => (float)(rng.NextDouble() - 0.5)).ToArray()).ToArray();
            float[] Near(float[] c, double noise) => c.Select(x => x + (float)((rng.NextDouble() - 0.5) * noise)).ToArray();
            for (int id = 0; id < 12; id++)
            {
                list.Add(TestData.Embedding("m", $"gallery/p{id:D2}/g.png", Near(centres[id], 0.3)));
                for (int k = 0; k < 3; k++)
                {
                    bool failed = id == 4 && k == 1;
                    list.Add(TestData.Embedding("m", $"probe/p{id:D2}/{k}.png", Near(centres[id], 1.4), failed ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                }
            }

            for (int u = 0; u < 40; u++) { list.Add(TestData.Embedding("m", $"unknown/u{u:D2}.png", Near(centres[u % 12], 2.5))); }
            return list;
        }

        [Fact]
        public void IntervalsEqualABruteForceBootstrapOverTheProbesIdentities()
        {
            const int samples = 60;
            var targets = new[] { 0.2, 0.1 };
            var data = Data();
            var options = new IdentificationOptions { FpirTargets = targets, BootstrapSamples = samples, BootstrapSeed = 4, Workers = 2 };
            var result = new IdentificationEngine(options, null, CancellationToken.None).Measure(new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", data) }).Results.Single();
            Assert.Equal(samples, result.BootstrapSamples);

            // Reference: ranks and top scores searched pair by pair, then each replicate expanded into copies of probes.
            var gallery = data.Where(e => e.RelativePath.StartsWith("gallery/")).ToList();
            var probes = data.Where(e => !e.RelativePath.StartsWith("gallery/")).OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
            string IdentityOf(FaceEmbedding e) => e.RelativePath.StartsWith("unknown/") ? e.RelativePath : e.RelativePath.Split('/')[1];
            float Cos(float[] a, float[] b) => EmbeddingMatrix.FromVectors(new[] { a, b }, a.Length).Score(0, 1);
            var rows = probes.Select(p =>
            {
                bool mated = p.RelativePath.StartsWith("probe/");
                if (p.Status != EmbeddingStatus.Success) { return (Id: IdentityOf(p), Mated: mated, Failed: true, Rank: int.MaxValue, Top: -1f); }
                var scores = gallery.ToDictionary(g => g.RelativePath.Split('/')[1], g => Cos(p.Vector, g.Vector));
                float top = scores.Values.Max();
                int rank = mated ? scores.Values.Count(s => s >= scores[IdentityOf(p)]) : int.MaxValue;
                return (Id: IdentityOf(p), Mated: mated, Failed: false, Rank: rank, Top: top);
            }).ToList();
            var names = rows.Select(r => r.Id).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();

            foreach (var (metrics, set) in new[] { (result.Completed, rows.Where(r => !r.Failed).ToList()), (result.SystemLevel, rows) })
            {
                var universe = set.Select(r => names.IndexOf(r.Id)).Distinct().OrderBy(i => i).ToArray();
                var weights = new int[names.Count];
                var rank1 = new List<double>();
                var rank5 = new List<double>();
                var tpir = targets.Select(_ => new List<double>()).ToArray();
                for (int r = 0; r < samples; r++)
                {
                    BootstrapEngine.DrawWeights(4, r, universe, weights);
                    var copies = set.SelectMany(p => Enumerable.Repeat(p, weights[names.IndexOf(p.Id)])).ToList();
                    var mated = copies.Where(p => p.Mated).ToList();
                    rank1.Add((double)mated.Count(p => p.Rank <= 1) / mated.Count);
                    rank5.Add((double)mated.Count(p => p.Rank <= 5) / mated.Count);
                    var nonMated = copies.Where(p => !p.Mated).Select(p => p.Top).OrderByDescending(s => s).ToList();
                    for (int t = 0; t < targets.Length; t++)
                    {
                        // The lowest threshold accepting at most floor(f * N) non-mated probes: above the (k+1)-th highest.
                        int k = (int)Math.Floor((decimal)targets[t] * nonMated.Count);
                        Func<float, bool> accepted = s => k >= nonMated.Count || s > nonMated[k];
                        tpir[t].Add((double)mated.Count(p => p.Rank <= 1 && accepted(p.Top)) / mated.Count);
                    }
                }

                void Check(List<double> values, double? lower, double? upper)
                {
                    var sorted = values.OrderBy(x => x).ToList();
                    Assert.Equal(Statistics.Percentile(sorted, 0.025), lower.Value, 12);
                    Assert.Equal(Statistics.Percentile(sorted, 0.975), upper.Value, 12);
                }

                Check(rank1, metrics.Rank1Lower, metrics.Rank1Upper);
                Check(rank5, metrics.Rank5Lower, metrics.Rank5Upper);
                for (int t = 0; t < targets.Length; t++) { Check(tpir[t], metrics.TpirAtFpir[t].TpirLower, metrics.TpirAtFpir[t].TpirUpper); }
                Assert.True(metrics.Rank1Lower <= metrics.Rank1 && metrics.Rank1 <= metrics.Rank1Upper);
                Assert.True(metrics.Rank1Lower < metrics.Rank1Upper);
            }

            var none = new IdentificationEngine(new IdentificationOptions { FpirTargets = targets }, null, CancellationToken.None).Measure(new[] { new KeyValuePair<string, List<FaceEmbedding>>("m", data) }).Results.Single();
            Assert.Null(none.Completed.Rank1Lower);
            Assert.Null(none.Completed.TpirAtFpir[0].TpirUpper);
        }
    }
}
