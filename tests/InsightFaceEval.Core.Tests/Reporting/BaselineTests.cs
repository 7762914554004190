using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    public class BaselineTests
    {
        private static ModelReport WithMetrics(ModelReport m, double tarShift = 0, double eerShift = 0, double aucShift = 0, double? fta = null, long genuine = -1, bool dropStrictTargets = false)
        {
            var c = m.Completed;
            var tars = c.TarAtFar.Select(t => !t.IsSupported ? t : dropStrictTargets && t.TargetFar < 1e-2
                ? new TarAtFar(t.TargetFar, false, 0, 1e-2, null, null, null, null, null, null, null)
                : new TarAtFar(t.TargetFar, true, t.FalseAcceptBudget, t.LowestSupportableFar, t.Tar + tarShift, t.Threshold, t.AchievedFar, null, null, null, null));
            var set = new MetricSet(genuine < 0 ? c.GenuinePairs : genuine, c.ImpostorPairs, tars, c.Eer + eerShift, c.EerThreshold, c.Auc + aucShift,
                c.BestAccuracy, c.BestAccuracyThreshold, c.KFoldAccuracyMean, c.KFoldAccuracyStdDev, c.DPrime);
            return new ModelReport(m.Name, m.Dimension, m.Images, m.FailedImages, fta ?? m.FailureToAcquireRate, set, null, null, null, null, null, null, null, null);
        }

        private static EvaluationReport Baseline() => ReportJson.Read(ReportJson.Write(ReportFixtures.Synthetic(models: 2, impostor: 5000)));

        [Fact]
        public void TheSameResultsPassEveryCheck()
        {
            var baseline = Baseline();
            var checks = BaselineComparer.Compare(baseline, baseline.Models, new BaselineTolerances());
            // Per model: two pair counts, FTA, TAR at 1e-1..1e-3 (5,000 impostors), EER, AUC.
            Assert.Equal(2 * 8, checks.Count);
            Assert.All(checks, c => Assert.True(c.Passed, c.ToString()));
        }

        [Theory]
        [InlineData(-0.0099, true)]
        [InlineData(-0.01, true)]
        [InlineData(-0.0101, false)]
        [InlineData(+0.05, true)]
        public void TarMayDropByItsToleranceAndNoMore(double shift, bool passes)
        {
            var baseline = Baseline();
            var today = baseline.Models.Select(m => WithMetrics(m, tarShift: shift)).ToList();
            var checks = BaselineComparer.Compare(baseline, today, new BaselineTolerances { Tar = 0.01 });
            var tar = checks.Where(c => c.Metric.StartsWith("TAR@FAR=", StringComparison.Ordinal)).ToList();
            Assert.Equal(6, tar.Count);
            Assert.All(tar, c => Assert.Equal(passes, c.Passed));
            Assert.All(tar, c => Assert.Equal(shift, c.Change.Value, 9));
        }

        [Fact]
        public void EachMetricFailsInItsOwnBadDirection()
        {
            var baseline = Baseline();
            var t = new BaselineTolerances { Eer = 0.002, Auc = 0.001, Fta = 0.005 };
            var worse = BaselineComparer.Compare(baseline, baseline.Models.Select(m => WithMetrics(m, eerShift: 0.003, aucShift: -0.002, fta: 0.02)), t);
            Assert.Equal(new[] { "AUC", "EER", "FTA" }, worse.Where(c => !c.Passed).Select(c => c.Metric).Distinct().OrderBy(x => x).ToArray());
            var better = BaselineComparer.Compare(baseline, baseline.Models.Select(m => WithMetrics(m, eerShift: -0.003, aucShift: 0.002, fta: 0)), t);
            Assert.All(better, c => Assert.True(c.Passed, c.ToString()));
            Assert.Contains(worse, c => c.Metric == "EER" && c.Message.Contains("EER may rise by 0.002"));
        }

        [Fact]
        public void AMissingModelFewerPairsOrAnUnmeasurableTargetFail()
        {
            var baseline = Baseline();
            var missing = BaselineComparer.Compare(baseline, baseline.Models.Take(1), null);
            var gone = Assert.Single(missing, c => !c.Passed);
            Assert.Equal("model-b", gone.Model);
            Assert.Equal("Model", gone.Metric);

            var fewer = BaselineComparer.Compare(baseline, baseline.Models.Select(m => WithMetrics(m, genuine: m.Completed.GenuinePairs - 1)), null);
            Assert.Equal(2, fewer.Count(c => !c.Passed && c.Metric == "GenuinePairs"));
            var tolerated = BaselineComparer.Compare(baseline, baseline.Models.Select(m => WithMetrics(m, genuine: m.Completed.GenuinePairs - 1)), new BaselineTolerances { PairCount = 0.01 });
            Assert.All(tolerated, c => Assert.True(c.Passed, c.ToString()));

            var strict = BaselineComparer.Compare(baseline, baseline.Models.Select(m => WithMetrics(m, dropStrictTargets: true)), null);
            var lost = strict.Where(c => !c.Passed).ToList();
            Assert.Equal(2, lost.Count);
            Assert.All(lost, c => Assert.Equal("TAR@FAR=1e-3", c.Metric));
            Assert.All(lost, c => Assert.Contains("too few impostor pairs", c.Message));
        }

        [Fact]
        public void ANewModelFailsClosedUnlessNewModelsAreAllowed()
        {
            var baseline = Baseline();
            var extra = ReportFixtures.Synthetic(models: 3, impostor: 5000).Models[2];
            var checks = BaselineComparer.Compare(baseline, baseline.Models.Concat(new[] { extra }), null);
            var check = Assert.Single(checks, c => c.Model == extra.Name);
            Assert.False(check.Passed);
            Assert.Equal("Model", check.Metric);
            var allowed = BaselineComparer.Compare(baseline, baseline.Models.Concat(new[] { extra }), null, allowNewModels: true);
            Assert.DoesNotContain(allowed, c => c.Model == extra.Name);
            Assert.All(allowed, c => Assert.True(c.Passed));
        }

        [Fact]
        public void ABaselineOfTheWrongShapeIsNeverCheckedAgainst()
        {
            var json = ReportJson.Write(Baseline());
            Assert.Empty(BaselineSchema.Problems(json));
            Assert.Contains(BaselineSchema.Problems("{\"models\": {\"a\": 1}}"), p => p.Contains("'models' must be a list"));
            Assert.Contains(BaselineSchema.Problems("{\"models\": [{\"name\": \"m\", \"completed\": {\"genuinePairs\": \"9\", \"impostorPairs\": 1e300, \"eer\": 2}}]}"),
                p => p.Contains("genuinePairs") && p.Contains("whole number"));
            Assert.Equal(3, BaselineSchema.Problems("{\"models\": [{\"name\": \"m\", \"completed\": {\"genuinePairs\": \"9\", \"impostorPairs\": 1e300, \"eer\": 2}}]}").Count);
            Assert.NotEmpty(BaselineSchema.Problems("[1, 2]"));
        }
    }
}
