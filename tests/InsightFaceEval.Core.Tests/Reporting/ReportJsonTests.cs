using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    public class ReportJsonTests
    {
        [Fact]
        public void RoundTripsToTheSameText()
        {
            var report = ReportFixtures.Synthetic(models: 2, impostor: 3000);
            var first = ReportJson.Write(report);
            var again = ReportJson.Write(ReportJson.Read(first));
            Assert.Equal(first, again);
        }

        [Fact]
        public void HasTheDocumentedTopLevelShape()
        {
            var json = ReportJson.Write(ReportFixtures.Synthetic(models: 1, impostor: 3000));
            using (var doc = JsonDocument.Parse(json))
            {
                var root = doc.RootElement;
                Assert.Equal(
                    new[] { "schemaVersion", "kind", "recommendation", "title", "generatedAt", "provenance", "dataset", "models", "comparisons", "identification", "notes" },
                    root.EnumerateObject().Select(p => p.Name).ToArray());
                Assert.Equal("1.1", root.GetProperty("schemaVersion").GetString());
                Assert.Equal("2025-01-02T03:04:05Z", root.GetProperty("generatedAt").GetString());
                var model = root.GetProperty("models")[0];
                var tar = model.GetProperty("completed").GetProperty("tarAtFar");
                Assert.Equal(6, tar.GetArrayLength());

                // 3,000 impostors: 1e-3 has budget 3, 1e-4 has none and carries no number.
                var supported = tar.EnumerateArray().First(t => t.GetProperty("targetFar").GetDouble() == 1e-3);
                Assert.True(supported.GetProperty("supported").GetBoolean());
                Assert.Equal(3, supported.GetProperty("falseAcceptBudget").GetInt64());
                Assert.True(supported.GetProperty("achievedFar").GetDouble() <= 1e-3);
                var insufficient = tar.EnumerateArray().First(t => t.GetProperty("targetFar").GetDouble() == 1e-4);
                Assert.False(insufficient.GetProperty("supported").GetBoolean());
                Assert.Equal(JsonValueKind.Null, insufficient.GetProperty("tar").ValueKind);
                Assert.Equal(1.0 / 3000, insufficient.GetProperty("lowestSupportableFar").GetDouble(), 12);
            }
        }

        [Fact]
        public void NeverContainsWhereImagesAreOnThisMachine()
        {
            var secretFolder = Path.Combine(Path.GetTempPath(), "alice-smith-private-photos");
            var report = ReportFixtures.Synthetic(models: 1, impostor: 1000, imagePaths: new[] { Path.Combine(secretFolder, "a.png") });
            Assert.Contains(report.Models[0].HardestGenuine, p => p.ImagePath1 != null);
            Assert.DoesNotContain("alice-smith-private-photos", ReportJson.Write(report));
        }

        [Fact]
        public void WritesNonFiniteMetricsAsNull()
        {
            var baseReport = ReportFixtures.Synthetic(models: 1, impostor: 1000);
            var m = baseReport.Models[0];
            var nan = new MetricSet(10, 10, null, double.NaN, double.PositiveInfinity, null, null, null, null, null, double.NaN);
            var model = new ModelReport(m.Name, m.Dimension, 10, 0, 0, nan, null, null, null, null, null, null, null, null);
            var json = ReportJson.Write(new EvaluationReport("t", DateTimeOffset.UtcNow, baseReport.Provenance, baseReport.Dataset, new[] { model }, null, null, null));
            Assert.DoesNotContain("NaN", json);
            Assert.DoesNotContain("Infinity", json);
            using (var doc = JsonDocument.Parse(json))
            {
                Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("models")[0].GetProperty("completed").GetProperty("eer").ValueKind);
            }
        }

        [Theory]
        [InlineData("{}", "no schemaVersion")]
        [InlineData("{\"schemaVersion\":\"2.0\"}", "schema version 2.0")]
        [InlineData("not json", "not valid JSON")]
        public void RefusesWhatIsNotAReportOfThisSchema(string text, string expected)
        {
            var ex = Assert.Throws<InvalidDataException>(() => ReportJson.Read(text));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void ReadsALaterMinorVersionIgnoringUnknownFields()
        {
            var json = ReportJson.Write(ReportFixtures.Synthetic(models: 1, impostor: 1000))
                .Replace("\"schemaVersion\": \"1.0\"", "\"schemaVersion\": \"1.7\", \"futureField\": {\"x\": 1}");
            var read = ReportJson.Read(json);
            Assert.Equal("model-a", read.Models.Single().Name);
        }
    }
}
