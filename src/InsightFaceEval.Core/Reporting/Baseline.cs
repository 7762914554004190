using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    /// <summary>How far each metric may move in the bad direction before a baseline check fails (absolute amounts).</summary>
    public sealed class BaselineTolerances
    {
        /// <summary>TAR at each FAR target may drop by this much (0.01 = one percentage point).</summary>
        public double Tar { get; set; } = 0.01;

        /// <summary>EER may rise by this much.</summary>
        public double Eer { get; set; } = 0.01;

        /// <summary>AUC may drop by this much.</summary>
        public double Auc { get; set; } = 0.005;

        /// <summary>The failure-to-acquire rate may rise by this much.</summary>
        public double Fta { get; set; } = 0.01;

        /// <summary>The share of genuine or impostor pairs that may go missing (0: none may; the dataset may grow).</summary>
        public double PairCount { get; set; }
    }

    /// <summary>Which way a metric improves.</summary>
    public enum MetricDirection
    {
        HigherIsBetter,
        LowerIsBetter,
    }

    /// <summary>One metric of one model, today against the baseline.</summary>
    public sealed class BaselineCheck
    {
        public BaselineCheck(string model, string metric, double? baseline, double? current, double tolerance, MetricDirection direction, bool passed, string message)
        {
            Model = model;
            Metric = metric;
            Baseline = baseline;
            Current = current;
            Tolerance = tolerance;
            Direction = direction;
            Passed = passed;
            Message = message;
        }

        public string Model { get; }

        /// <summary>"TAR@FAR=1e-3", "EER", "AUC", "FTA", "GenuinePairs", "ImpostorPairs", or "Model" when a model is missing.</summary>
        public string Metric { get; }

        public double? Baseline { get; }

        public double? Current { get; }

        /// <summary>Current minus baseline, when both exist.</summary>
        public double? Change => Baseline.HasValue && Current.HasValue ? Current - Baseline : null;

        public double Tolerance { get; }

        public MetricDirection Direction { get; }

        public bool Passed { get; }

        /// <summary>A sentence saying what moved, by how much, and what was allowed.</summary>
        public string Message { get; }

        public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Model} {Metric}: {Message}";
    }

    /// <summary>Compares today's verification results with a saved baseline report, metric by metric.</summary>
    public static class BaselineComparer
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>
        /// Every check for every model of the baseline; a baseline model missing today fails. A model of today's
        /// results that the baseline lacks cannot be checked, so it fails too (the gate fails closed), unless
        /// <paramref name="allowNewModels"/> says new models are expected, in which case it is left out.
        /// </summary>
        public static IReadOnlyList<BaselineCheck> Compare(EvaluationReport baseline, IEnumerable<ModelReport> current, BaselineTolerances tolerances, bool allowNewModels = false)
        {
            if (baseline == null) { throw new ArgumentNullException(nameof(baseline)); }
            tolerances = tolerances ?? new BaselineTolerances();
            var today = (current ?? Enumerable.Empty<ModelReport>()).GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var checks = new List<BaselineCheck>();
            foreach (var b in baseline.Models)
            {
                if (!today.TryGetValue(b.Name, out var c))
                {
                    checks.Add(new BaselineCheck(b.Name, "Model", null, null, 0, MetricDirection.HigherIsBetter, false,
                        $"model '{b.Name}' is in the baseline but not in today's results"));
                    continue;
                }

                checks.Add(Count(b.Name, "GenuinePairs", b.Completed.GenuinePairs, c.Completed.GenuinePairs, tolerances.PairCount));
                checks.Add(Count(b.Name, "ImpostorPairs", b.Completed.ImpostorPairs, c.Completed.ImpostorPairs, tolerances.PairCount));
                if (b.FailureToAcquireRate.HasValue)
                {
                    checks.Add(Rate(b.Name, "FTA", b.FailureToAcquireRate, c.FailureToAcquireRate, tolerances.Fta, MetricDirection.LowerIsBetter));
                }

                foreach (var bt in b.Completed.TarAtFar.Where(t => t.IsSupported))
                {
                    var metric = "TAR@FAR=" + ReportCharts.FormatFar(bt.TargetFar);
                    var ct = c.Completed.Find(bt.TargetFar);
                    if (ct == null || !ct.IsSupported)
                    {
                        checks.Add(new BaselineCheck(b.Name, metric, bt.Tar, null, tolerances.Tar, MetricDirection.HigherIsBetter, false,
                            ct == null ? "not measured today" : "no longer measurable: today's data has too few impostor pairs for this FAR"));
                        continue;
                    }

                    checks.Add(Rate(b.Name, metric, bt.Tar, ct.Tar, tolerances.Tar, MetricDirection.HigherIsBetter));
                }

                if (b.Completed.Eer.HasValue) { checks.Add(Rate(b.Name, "EER", b.Completed.Eer, c.Completed.Eer, tolerances.Eer, MetricDirection.LowerIsBetter)); }
                if (b.Completed.Auc.HasValue) { checks.Add(Rate(b.Name, "AUC", b.Completed.Auc, c.Completed.Auc, tolerances.Auc, MetricDirection.HigherIsBetter)); }
            }

            if (!allowNewModels)
            {
                var known = new HashSet<string>(baseline.Models.Select(m => m.Name), StringComparer.Ordinal);
                foreach (var name in today.Keys.Where(n => !known.Contains(n)))
                {
                    checks.Add(new BaselineCheck(name, "Model", null, null, 0, MetricDirection.HigherIsBetter, false,
                        $"model '{name}' is in today's results but not in the baseline, so nothing checks it; add it with -UpdateBaseline, or pass -AllowNewModel"));
                }
            }

            return checks;
        }

        private static BaselineCheck Rate(string model, string metric, double? baseline, double? current, double tolerance, MetricDirection direction)
        {
            if (!baseline.HasValue) { return new BaselineCheck(model, metric, null, current, tolerance, direction, true, "no baseline value; not checked"); }
            if (!current.HasValue || double.IsNaN(current.Value))
            {
                return new BaselineCheck(model, metric, baseline, null, tolerance, direction, false, "no value today");
            }

            var change = current.Value - baseline.Value;
            var worse = direction == MetricDirection.HigherIsBetter ? -change : change;
            // A hair of slack so a value that moved by exactly the tolerance (in binary floating point) passes.
            var passed = worse <= tolerance + 1e-12;
            var message = string.Format(Inv, "{0:0.######} -> {1:0.######} ({2:+0.######;-0.######;0}); {3} may {4} by {5:0.######}",
                baseline.Value, current.Value, change, metric, direction == MetricDirection.HigherIsBetter ? "drop" : "rise", tolerance);
            return new BaselineCheck(model, metric, baseline, current, tolerance, direction, passed, message);
        }

        private static BaselineCheck Count(string model, string metric, long baseline, long current, double tolerance)
        {
            var allowed = baseline * (1 - tolerance);
            var passed = current >= allowed - 1e-9;
            var message = string.Format(Inv, "{0} -> {1}; {2}", baseline, current,
                tolerance > 0 ? $"at least {Math.Ceiling(allowed).ToString(Inv)} expected" : "none may go missing");
            return new BaselineCheck(model, metric, baseline, current, tolerance, MetricDirection.HigherIsBetter, passed, message);
        }
    }
}
