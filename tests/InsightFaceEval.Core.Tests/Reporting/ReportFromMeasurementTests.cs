using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    /// <summary>The report built from what the real metric engine measures: nothing lost or changed on the way.</summary>
    public class ReportFromMeasurementTests
    {
        internal static VerificationOutcome Measure(int identities = 12, int perIdentity = 4, int bootstrap = 40, int seed = 3, string root = "/data/")
        {
            var rng = new Random(seed);
            var models = new List<KeyValuePair<string, List<FaceEmbedding>>>();
            var bases = Enumerable.Range(0, identities).Select(_ => Unit(rng, null, 1.0)).ToArray();
            foreach (var (name, noise) in new[] { ("sharp", 0.05), ("blurry", 0.1) })
            {
                var list = new List<FaceEmbedding>();
                for (var id = 0; id < identities; id++)
                {
                    for (var k = 0; k < perIdentity; k++)
                    {
                        var rel = $"id{id:d2}/{k}.png";
                        var failed = id == 0 && k == 0 && name == "blurry";
                        list.Add(new FaceEmbedding(root + rel, rel, $"id{id:d2}", name, failed ? new float[0] : Unit(rng, bases[id], noise),
                            failed ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false));
                    }
                }

                models.Add(new KeyValuePair<string, List<FaceEmbedding>>(name, list));
            }

            var engine = new VerificationEngine(new VerificationOptions { BootstrapSamples = bootstrap, Workers = 2 }, new MeasurementProgress(), CancellationToken.None);
            return engine.MeasureEmbeddings(models, PairProtocol.AllPairs, null);
        }

        private static float[] Unit(Random rng, float[] baseVector, double noise)
        {
            var v = new float[64];
            for (var i = 0; i < v.Length; i++)
            {
                var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                v[i] = (float)((baseVector?[i] ?? 0) + noise * g);
            }

            var norm = (float)Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / norm).ToArray();
        }

        [Fact]
        public void EveryMeasuredNumberReachesTheReportAndItsJson()
        {
            var outcome = Measure();
            Assert.Equal(2, outcome.Results.Count);
            var report = ReportJson.Read(ReportJson.Write(ReportBuilder.Build(outcome.Results, null, outcome.Comparisons, new ReportOptions { Title = "t" })));
            Assert.Equal(new[] { "sharp", "blurry" }, report.Models.Select(m => m.Name).ToArray());
            foreach (var result in outcome.Results)
            {
                var model = report.Models.Single(m => m.Name == result.Model);
                Assert.Equal(result.FailureToAcquireRate, model.FailureToAcquireRate);
                Assert.Equal(result.Completed.Eer, model.Completed.Eer);
                Assert.Equal(result.Completed.Auc, model.Completed.Auc);
                Assert.Equal(result.Completed.GenuinePairs, model.Completed.GenuinePairs);
                Assert.Equal(result.SystemLevel.FailedGenuinePairs, model.SystemLevel.FailedGenuinePairs);
                Assert.Equal(result.Completed.TarAtFar.Length, model.Completed.TarAtFar.Count);
                foreach (var t in result.Completed.TarAtFar)
                {
                    var r = model.Completed.Find(t.TargetFar);
                    Assert.Equal(t.IsSupported, r.IsSupported);
                    Assert.Equal(t.Tar, r.Tar);
                    Assert.Equal(t.Threshold, r.Threshold);
                    Assert.Equal(t.TarLower, r.TarLower);
                }

                // The histogram counts every completed pair once.
                Assert.Equal(result.Completed.GenuinePairs, model.Histogram.Genuine.Sum());
                Assert.Equal(result.Completed.ImpostorPairs, model.Histogram.Impostor.Sum());
                Assert.Equal(result.Completed.Roc.Length, model.Roc.Count);
                Assert.Equal(Math.Min(8, result.HardestGenuinePairs.Length), model.HardestGenuine.Count);
                Assert.All(model.HardestGenuine, p => Assert.Matches("^id[0-9]{2}/[0-9]\\.png$", p.Path1));
            }

            var comparison = Assert.Single(report.Comparisons);
            var measured = Assert.Single(outcome.Comparisons);
            Assert.Equal(measured.Verdict, comparison.Verdict);
            Assert.Equal(measured.Differences.Length, comparison.Differences.Count);
            Assert.Equal(measured.Differences[0].Lower, comparison.Differences[0].Lower);
            Assert.Contains(report.Provenance.Settings, kv => kv.Key == "Bootstrap over identities" && kv.Value == "40 replicates, seed 1");
        }

        [Fact]
        public void TheHtmlOfARealMeasurementHasEveryChart()
        {
            var outcome = Measure();
            var report = ReportBuilder.Build(outcome.Results, null, outcome.Comparisons, null);
            var charts = ReportCharts.All(report);
            Assert.Equal(new[] { "roc", "det", "hist-sharp-0", "hist-blurry-1" }, charts.Select(c => c.Id).ToArray());
            var html = HtmlReportWriter.Render(report, charts, null);
            Assert.Contains("A = sharp, B = blurry", html);
            Assert.Contains("data-expected-charts=\"4\"", html);
        }
    }
}

namespace InsightFaceEval.Tests.Reporting
{
    public class IdentificationReportTests
    {
        private static IdentificationResult Result(string model, double rank1)
        {
            var cmc = Enumerable.Range(1, 8).Select(k => new CmcPoint(k, Math.Min(1, rank1 + 0.03 * (k - 1)))).ToArray();
            var tpir = new[]
            {
                new TpirAtFpir(1e-1, true, 4, 0.025, rank1 - 0.05, 0.41, 0.075, 3),
                new TpirAtFpir(1e-2, false, 0, 0.025, null, null, null, null),
            };
            var completed = new IdentificationMetrics(PairSet.Completed, 120, 40, 0, 0, rank1, cmc[4].IdentificationRate, cmc, tpir);
            return new IdentificationResult(model, "Folders", 512, 200, 2, 30, 30, 0, completed, completed, new[] { 1e-1, 1e-2 }, 8, null, "0.1.0", DateTimeOffset.UtcNow);
        }

        [Fact]
        public void IdentificationGetsItsTableCmcChartAndJson()
        {
            var report = ReportBuilder.Build(null, new[] { Result("dingo", 0.9), Result("eagle", 0.95) }, null, null);
            var json = ReportJson.Write(report);
            var back = ReportJson.Read(json);
            Assert.Equal(2, back.Identification.Count);
            Assert.Equal(0.9, back.Identification[0].Rank1);
            Assert.Equal(1.0, back.Identification[0].Rank5.Value, 9);
            Assert.False(back.Identification[0].TpirAtFpir.Single(t => t.TargetFpir == 1e-2).IsSupported);
            Assert.Equal(0.01, back.Identification[0].FailureToAcquireRate);

            var charts = ReportCharts.All(report);
            var cmc = Assert.Single(charts);
            Assert.Equal("cmc", cmc.Id);
            Assert.Equal(2, cmc.SeriesCount);
            var html = HtmlReportWriter.Render(report, charts, null);
            Assert.Contains("<section id=\"identification\">", html);
            Assert.Contains("TPIR @ FPIR 1e-1", html);
            Assert.Contains("90.00%", html);
            Assert.Contains("The report holds no verification results.", html);
            var md = MarkdownReportWriter.Render(report, charts, "x.charts");
            Assert.Contains("| dingo | 30 | 120 / 40 | 90.00% | 100.00% |", md);
        }
    }
}
