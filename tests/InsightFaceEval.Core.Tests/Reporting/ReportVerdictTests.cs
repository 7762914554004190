using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using InsightFaceEval.Metrics;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    /// <summary>Every report format opens with the recommendation, then the evidence; accuracy leads with the balanced figure where impostors dominate.</summary>
    public class ReportVerdictTests
    {
        private static EvaluationReport Report(VerificationOutcome outcome) =>
            ReportBuilder.Build(outcome.Results, null, outcome.Comparisons, new ReportOptions { Title = "Verdict", GeneratedAt = DateTimeOffset.UnixEpoch });

        private static KeyValuePair<string, List<FaceEmbedding>> Group(string model, List<FaceEmbedding> e) => new KeyValuePair<string, List<FaceEmbedding>>(model, e);

        [Fact]
        public void EveryFormatLeadsWithTheRecommendation()
        {
            var (steady, dropper) = ModelVerdictTests.HardImagesDropped(11);
            var report = Report(ModelVerdictTests.Measure(new[] { Group("steady", steady), Group("dropper", dropper) }));
            Assert.Equal("steady", report.Recommendation.Model);
            Assert.StartsWith("Pick steady: at FAR 1e-3", report.Recommendation.Text);

            var md = MarkdownReportWriter.Render(report, new ReportChart[0], null).Split('\n');
            Assert.Equal("# Verdict", md[0]);
            Assert.Equal("**Recommendation.** " + report.Recommendation.Text.Replace("_", "\\_"), md[2]);

            using (var doc = JsonDocument.Parse(ReportJson.Write(report)))
            {
                var names = doc.RootElement.EnumerateObject().Select(p => p.Name).Take(3).ToArray();
                Assert.Equal(new[] { "schemaVersion", "kind", "recommendation" }, names);
                Assert.Equal("steady", doc.RootElement.GetProperty("recommendation").GetProperty("model").GetString());
                var comparison = doc.RootElement.GetProperty("comparisons")[0];
                Assert.Equal("SystemLevel", comparison.GetProperty("views")[0].GetProperty("pairSet").GetString());
                Assert.Equal("FTA", comparison.GetProperty("failureToAcquire").GetProperty("metric").GetString());
            }

            var back = ReportJson.Read(ReportJson.Write(report));
            Assert.Equal(report.Recommendation.Text, back.Recommendation.Text);
            Assert.Equal(report.Comparisons[0].Disagreement, back.Comparisons[0].Disagreement);

            var html = HtmlReportWriter.Render(report, new ReportChart[0], null);
            int recommendation = html.IndexOf("id=\"recommendation\"", StringComparison.Ordinal);
            Assert.True(recommendation > 0 && recommendation < html.IndexOf("<main>", StringComparison.Ordinal));
            Assert.True(html.IndexOf("id=\"decision\"", StringComparison.Ordinal) < html.IndexOf("id=\"summary\"", StringComparison.Ordinal));
            Assert.Contains("(decides)", html);
        }

        [Fact]
        public void ARandomModelsReportLeadsWithBalancedAccuracy()
        {
            var rng = new Random(4);
            var random = new List<FaceEmbedding>();
            for (int id = 0; id < 60; id++)
            {
                for (int k = 0; k < 2; k++) { random.Add(TestData.Embedding("random", $"id{id:D2}/img{k}.png", ModelVerdictTests.Gaussian(rng, 1))); }
            }

            var report = Report(ModelVerdictTests.Measure(new[] { Group("random", random) }, bootstrap: 0));
            var set = report.Models[0].Completed;
            var lines = ReportText.AccuracyLines(set);
            Assert.True(lines[0].Lead);
            Assert.StartsWith("balanced ", lines[0].Text);
            Assert.StartsWith("accuracy 99.", lines[1].Text);
            Assert.Contains(ReportText.Findings(report), f => f.Contains("balanced accuracy") && f.Contains("random " + ReportText.Percent(set.BalancedAccuracy)));
            var html = HtmlReportWriter.Render(report, new ReportChart[0], null);
            Assert.Contains("<b>" + System.Net.WebUtility.HtmlEncode(lines[0].Text) + "</b>", html);
        }
    }
}
