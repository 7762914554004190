using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    /// <summary>Number formats and the plain-language findings that both the HTML and the Markdown report print.</summary>
    public static class ReportText
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static string Percent(double? value, int decimals = 2) =>
            value.HasValue && !double.IsNaN(value.Value) ? (value.Value * 100).ToString("F" + decimals, Inv) + "%" : "n/a";

        public static string Number(double? value, int decimals = 4) =>
            value.HasValue && !double.IsNaN(value.Value) ? value.Value.ToString("F" + decimals, Inv) : "n/a";

        /// <summary>A difference of rates in percentage points, signed: "+1.25 pt".</summary>
        public static string SignedPoints(double? value) =>
            value.HasValue && !double.IsNaN(value.Value) ? (value.Value * 100).ToString("+0.00;\u22120.00;0.00", Inv) + " pt" : "n/a";

        public static string Count(long? value) => value.HasValue ? value.Value.ToString("N0", Inv) : "n/a";

        public static string Far(double far) => ReportCharts.FormatFar(far);

        public static string Date(DateTimeOffset? value) =>
            value.HasValue ? value.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", Inv) : "n/a";

        /// <summary>"98.10% (96.2-99.3%) at t=0.4123", or "insufficient (needs FAR >= 1e-3)".</summary>
        public static string TarCell(TarAtFar t)
        {
            if (t == null) { return "n/a"; }
            if (!t.IsSupported) { return "insufficient" + (IsFinite(t.LowestSupportableFar) ? $" (lowest FAR {Sci(t.LowestSupportableFar)})" : string.Empty); }
            var cell = Percent(t.Tar);
            if (t.TarLower.HasValue && t.TarUpper.HasValue) { cell += $" [{Percent(t.TarLower)}, {Percent(t.TarUpper)}]"; }
            return cell;
        }

        /// <summary>A number that can be printed: neither NaN (not published) nor infinite.</summary>
        public static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

        /// <summary>One line of an accuracy cell; <see cref="Lead"/> marks the figure the report leads with.</summary>
        public sealed class AccuracyLine
        {
            public AccuracyLine(string text, bool lead)
            {
                Text = text;
                Lead = lead;
            }

            public string Text { get; }

            public bool Lead { get; }
        }

        /// <summary>
        /// The accuracy figures of a metric set, lead first: where impostor pairs outnumber genuine ones, balanced
        /// accuracy (a model that rejects everything scores 50%), then plain accuracy; otherwise plain accuracy first.
        /// </summary>
        public static IReadOnlyList<AccuracyLine> AccuracyLines(MetricSet s)
        {
            var plain = new AccuracyLine($"accuracy {Percent(s.BestAccuracy)} (t {Number(s.BestAccuracyThreshold)}), k-fold {Percent(s.KFoldAccuracyMean)}" +
                (s.KFoldAccuracyStdDev.HasValue ? $" \u00B1 {Percent(s.KFoldAccuracyStdDev)}" : string.Empty), !s.IsImbalanced || !s.BalancedAccuracy.HasValue);
            if (!s.BalancedAccuracy.HasValue) { return new[] { plain }; }
            var balanced = new AccuracyLine($"balanced {Percent(s.BalancedAccuracy)} (t {Number(s.BalancedAccuracyThreshold)}), k-fold {Percent(s.KFoldBalancedAccuracyMean)}" +
                (s.KFoldBalancedAccuracyStdDev.HasValue ? $" \u00B1 {Percent(s.KFoldBalancedAccuracyStdDev)}" : string.Empty), s.IsImbalanced);
            return s.IsImbalanced ? new[] { balanced, plain } : new[] { plain, balanced };
        }

        /// <summary>"system level", "both completed", "each completed", "failure to acquire".</summary>
        public static string ViewName(MetricDifference d) =>
            d.Metric == "FTA" ? "failure to acquire"
            : d.PairSet == PairSet.SystemLevel ? "system level (failed images scored \u22121)"
            : d.PairSet == PairSet.CommonCompleted ? "pairs both models completed"
            : d.PairSet == PairSet.Completed ? "pairs each model completed"
            : d.PairSet?.ToString() ?? string.Empty;

        /// <summary>Compact scientific form with two significant digits: 5e-5, 3.3e-4; plain for 0.</summary>
        public static string Sci(double value)
        {
            if (value == 0 || double.IsNaN(value) || double.IsInfinity(value)) { return value.ToString(Inv); }
            var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
            var mantissa = Math.Round(value / Math.Pow(10, exponent), 1);
            if (Math.Abs(mantissa) >= 10)
            {
                mantissa /= 10;
                exponent++;
            }

            return mantissa.ToString("0.#", Inv) + "e" + exponent.ToString(Inv);
        }

        /// <summary>The FAR targets that appear in any model's completed metrics, loosest first.</summary>
        public static IReadOnlyList<double> FarTargets(EvaluationReport report) =>
            report.Models.SelectMany(m => m.Completed.TarAtFar).Select(t => t.TargetFar)
                .Distinct().OrderByDescending(f => f).ToList();

        /// <summary>Short statements a decision maker reads first. Derived from the numbers only.</summary>
        public static IReadOnlyList<string> Findings(EvaluationReport report)
        {
            var findings = new List<string>();
            var models = report.Models;
            if (models.Count == 0)
            {
                findings.Add("The report holds no verification results.");
                return findings;
            }

            // At system level when every model has it: completed-only figures flatter a model that fails on hard faces.
            bool system = models.All(m => m.SystemLevel != null);
            Func<ModelReport, MetricSet> set = m => system ? m.SystemLevel : m.Completed;
            string where = system ? ", counting failed images as rejects (system level)" : string.Empty;
            var supported = FarTargets(report)
                .Where(f => models.All(m => set(m).Find(f)?.IsSupported == true))
                .OrderBy(f => f).ToList();
            if (supported.Count > 0)
            {
                var far = report.Recommendation?.OperatingFar ?? supported[0];
                if (!models.All(m => set(m).Find(far)?.IsSupported == true)) { far = supported[0]; }
                var ranked = models.OrderByDescending(m => set(m).Find(far).Tar ?? double.MinValue).ToList();
                var best = ranked[0];
                var allEqual = ranked.All(m => set(m).Find(far).Tar == set(best).Find(far).Tar);
                var line = $"At FAR {Far(far)}{where}, {best.Name} accepts {Percent(set(best).Find(far).Tar)} of genuine pairs";
                if (ranked.Count > 1 && allEqual)
                {
                    line = $"At FAR {Far(far)}{where}, every model accepts {Percent(set(best).Find(far).Tar)} of genuine pairs: this data does not separate them there.";
                }
                else if (ranked.Count > 1)
                {
                    line += "; " + string.Join(", ", ranked.Skip(1).Select(m => $"{m.Name} {Percent(set(m).Find(far).Tar)}"));
                    line += report.Comparisons.Count > 0
                        ? ". The decision above says whether that gap is real."
                        : ". No paired comparison was run, so this gap comes without an interval.";
                }
                else
                {
                    line += ".";
                }

                findings.Add(line);
            }

            var insufficient = models.SelectMany(m => m.Completed.TarAtFar).Where(t => !t.IsSupported).ToList();
            if (insufficient.Count > 0)
            {
                var lowest = insufficient.Where(t => IsFinite(t.LowestSupportableFar)).Select(t => t.LowestSupportableFar).DefaultIfEmpty(double.NaN).Max();
                var targets = string.Join(", ", insufficient.Select(t => Far(t.TargetFar)).Distinct());
                findings.Add($"FAR {targets}: insufficient data, not a number. With these impostor pairs the lowest FAR that can be measured is {(double.IsNaN(lowest) ? "unknown" : Sci(lowest))}; more identities are needed to measure stricter operating points.");
            }

            var failing = models.Where(m => (m.FailureToAcquireRate ?? 0) > 0).ToList();
            if (failing.Count > 0)
            {
                findings.Add("No face found (failure to acquire): " +
                    string.Join("; ", failing.Select(m => $"{m.Name} {Count(m.FailedImages)} of {Count(m.Images)} images ({Percent(m.FailureToAcquireRate)})")) +
                    ". The system-level metrics score pairs with such an image -1.");
            }

            var imbalanced = models.Where(m => m.Completed.IsImbalanced && m.Completed.BalancedAccuracy.HasValue).ToList();
            if (imbalanced.Count > 0)
            {
                findings.Add("Impostor pairs outnumber genuine ones, so plain accuracy flatters a model that rejects everything; balanced accuracy ((TAR + TRR) / 2): " +
                    string.Join("; ", imbalanced.Select(m => $"{m.Name} {Percent(m.Completed.BalancedAccuracy)} (plain {Percent(m.Completed.BestAccuracy)})")) + ".");
            }

            var small = models.Where(m => m.Completed.GenuinePairs < 100).ToList();
            if (small.Count > 0)
            {
                findings.Add($"Only {Count(small.Min(m => m.Completed.GenuinePairs))} genuine pairs: every rate moves by at least {Percent(1.0 / Math.Max(1, small.Min(m => m.Completed.GenuinePairs)))} per pair; read the intervals, not the point values.");
            }

            return findings;
        }
    }
}
