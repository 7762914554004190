using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    /// <summary>What Export-FaceEvaluationReport hands to Core: the results it collected and the metadata it flattened.</summary>
    public class ReportRequestTests
    {
        private static VerificationResult Result(string model)
        {
            var report = ReportFixtures.Synthetic(models: 1, impostor: 1000);
            var tars = report.Models[0].Completed.TarAtFar.ToArray();
            var metrics = new VerificationMetrics(PairSet.Completed, 400, 1000, 0, 0, 40, tars, 0.03, 0.3, null, null, 0.99, null, null, 0.97, 0.3, 0, null, null, 4.0,
                null, null, null, Array.Empty<RocPoint>(), null);
            return new VerificationResult(model, "AllPairs", 512, 420, 0, 40, metrics, null, null, null, new[] { 1e-1 }, null, 0, 0, 1, null, null, null, "0.1.0", DateTimeOffset.UtcNow);
        }

        [Fact]
        public void SortsResultsAndSkipsNulls()
        {
            var request = new ReportRequest();
            Assert.Null(request.Add(Result("dingo")));
            Assert.Null(request.Add(null));
            Assert.Null(request.Add(Result("eagle")));
            Assert.Equal(new[] { "dingo", "eagle" }, request.Verification.Select(v => v.Model).ToArray());
            Assert.Empty(request.Identification);
            Assert.Equal(new[] { "dingo", "eagle" }, request.Models.ToArray());
        }

        [Fact]
        public void ASecondResultOfOneModelIsAProblemAndTheFirstIsKept()
        {
            var request = new ReportRequest();
            var first = Result("dingo");
            var second = Result("dingo");
            request.Add(first);
            var problem = request.Add(second);
            Assert.Equal("DuplicateModel", problem.Id);
            Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
            Assert.IsType<ArgumentException>(problem.Exception);
            Assert.Same(second, problem.Target);
            Assert.False(problem.Terminating);
            Assert.Same(first, Assert.Single(request.Verification));
        }

        [Fact]
        public void AnythingElseIsUnsupportedInputAboutThatItem()
        {
            var problem = new ReportRequest().Add("not a result");
            Assert.Equal("UnsupportedInput", problem.Id);
            Assert.Equal(ProblemCategory.InvalidType, problem.Category);
            Assert.Equal("not a result", problem.Target);
            Assert.Contains("System.String", problem.Message);
        }

        [Fact]
        public void NothingReportableIsATerminatingProblem()
        {
            var request = new ReportRequest();
            request.Add(42);
            var report = request.Build(out var problem);
            Assert.Null(report);
            Assert.Equal("NoResults", problem.Id);
            Assert.True(problem.Terminating);
            Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
        }

        [Fact]
        public void BuildsTheReportWithTheOptionsAndSettingsGiven()
        {
            var request = new ReportRequest();
            request.Add(Result("dingo"));
            request.Options.Title = "Nightly";
            request.Options.Settings.Add(ReportRequest.Setting("Dataset", "faces"));
            var report = request.Build(out var problem);
            Assert.Null(problem);
            Assert.Equal("Nightly", report.Title);
            Assert.Equal("dingo", Assert.Single(report.Models).Name);
            Assert.Contains(report.Provenance.Settings, kv => kv.Key == "Dataset" && kv.Value == "faces");
        }

        [Fact]
        public void FlattensListsAndNumbersTheSameInEveryCulture()
        {
            var before = Thread.CurrentThread.CurrentCulture;
            try
            {
                Thread.CurrentThread.CurrentCulture = new CultureInfo("de-DE");
                Assert.Equal(new KeyValuePair<string, string>("Crop expansion", "0.2"), ReportRequest.Setting("Crop expansion", 0.2));
                Assert.Equal("dingo, eagle", ReportRequest.SettingText(new[] { "dingo", "eagle" }));
                Assert.Equal("1.5, 2", ReportRequest.SettingText(new List<object> { 1.5, 2 }));
                Assert.Equal("12", ReportRequest.Setting(12, "x").Key);
            }
            finally
            {
                Thread.CurrentThread.CurrentCulture = before;
            }
        }

        [Fact]
        public void AStringStaysOneValueAndNullIsEmpty()
        {
            Assert.Equal("faces", ReportRequest.SettingText("faces"));
            Assert.Equal(string.Empty, ReportRequest.SettingText(null));
        }
    }
}
