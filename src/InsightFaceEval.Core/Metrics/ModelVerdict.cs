using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>What the verdict needs to know about one measured model.</summary>
    public sealed class ModelEvidence
    {
        public ModelEvidence(string model, VerificationResult result, BootstrapReplicates systemLevel, BootstrapReplicates completed, BootstrapReplicates common,
            int[] imageIdentity, bool[] imageFailed)
        {
            Model = model;
            Result = result;
            SystemLevel = systemLevel;
            Completed = completed;
            Common = common;
            ImageIdentity = imageIdentity ?? Array.Empty<int>();
            ImageFailed = imageFailed ?? Array.Empty<bool>();
        }

        public string Model { get; }

        public VerificationResult Result { get; }

        public BootstrapReplicates SystemLevel { get; }

        public BootstrapReplicates Completed { get; }

        public BootstrapReplicates Common { get; }

        /// <summary>Identity index of each image (shared by every model measured together).</summary>
        public int[] ImageIdentity { get; }

        /// <summary>Whether each image failed to acquire.</summary>
        public bool[] ImageFailed { get; }
    }

    /// <summary>
    /// Which model to pick (metrics.md, "Choosing a model"; the rules are <see cref="MetricDefinitions.Recommendation"/>):
    /// system-level TAR at one operating point decides, with a paired bootstrap interval over identities; the FTA
    /// difference, with its own paired interval, breaks a tie; the completed-only and common-pair views are shown
    /// beside the decision and explained where they point the other way.
    /// </summary>
    public static class ModelVerdict
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>
        /// The operating point: <see cref="VerificationOptions.OperatingFar"/>, or the strictest target at which every
        /// model's system-level TAR is supported and (with a bootstrap) has an interval; failing that, the strictest
        /// supported one; null when no target is supported for every model.
        /// </summary>
        public static double? OperatingFar(IReadOnlyList<VerificationResult> results, VerificationOptions options)
        {
            if (options.OperatingFar.HasValue) { return options.OperatingFar; }
            var ascending = Enumerable.Range(0, options.FarTargets.Length).OrderBy(t => options.FarTargets[t]).ToList();
            bool Supported(int t) => results.All(r => r.SystemLevel != null && r.SystemLevel.TarAtFar.Length > t && r.SystemLevel.TarAtFar[t].IsSupported);
            foreach (var t in ascending)
            {
                if (Supported(t) && (options.BootstrapSamples == 0 || results.All(r => r.SystemLevel.TarAtFar[t].TarLower.HasValue))) { return options.FarTargets[t]; }
            }

            foreach (var t in ascending)
            {
                if (Supported(t)) { return options.FarTargets[t]; }
            }

            return null;
        }

        /// <summary>The comparison of two models, <paramref name="b"/> minus <paramref name="a"/>.</summary>
        public static ModelComparison Compare(ModelEvidence a, ModelEvidence b, double? operatingFar, VerificationOptions options)
        {
            bool intervals = options.BootstrapSamples > 0;
            int t = operatingFar.HasValue ? Array.FindIndex(options.FarTargets, f => Math.Abs(f - operatingFar.Value) <= 1e-12 * f) : -1;
            string metric = t >= 0 ? "TAR@FAR=" + TarAtFar.FormatFar(operatingFar.Value) : "EER";
            var system = View(PairSet.SystemLevel, metric, t, a, b, intervals, options, out var systemAgainst);
            var common = View(PairSet.CommonCompleted, metric, t, a, b, intervals, options, out _);
            var completed = View(PairSet.Completed, metric, t, a, b, intervals, options, out _);
            var fta = Fta(a, b, intervals, options, out var ftaAgainst);
            string Odds(string loser, int against) => $"; {loser} is better in {against} of {options.BootstrapSamples:N0} bootstrap replicates";

            string recommended = null, decidedBy = null, verdict, text;
            string opName = t >= 0 ? "at FAR " + TarAtFar.FormatFar(operatingFar.Value) : "by EER (no FAR is supported for both models)";
            string what = t >= 0 ? "accepts" : "has an EER of";
            if (!intervals)
            {
                verdict = "no verdict: no bootstrap intervals were drawn";
                text = $"No recommendation: the decision needs paired bootstrap intervals, and none were drawn (0 replicates). System level {opName}: {a.Model} {Pct(system.ReferenceValue)}, {b.Model} {Pct(system.DifferenceValue)}.";
            }
            else if (system.BetterModel != null)
            {
                recommended = system.BetterModel;
                decidedBy = "SystemLevel " + metric;
                string loser = recommended == a.Model ? b.Model : a.Model;
                Oriented(system, recommended == b.Model, out var d, out var lo, out var hi);
                text = t >= 0
                    ? $"Pick {recommended}: {opName}, counting every image a model failed to acquire as a false reject (system level), {recommended} accepts {Pct(Value(system, recommended, a))} of genuine pairs and {loser} {Pct(Value(system, loser, a))} ({Pts(d)}, 95% interval {Pts(lo)} to {Pts(hi)}{Odds(loser, systemAgainst)})."
                    : $"Pick {recommended}: at system level (failed images scored -1) its EER is {Pct(Value(system, recommended, a))} against {Pct(Value(system, loser, a))} for {loser} ({Pts(-d)}, 95% interval {Pts(-hi)} to {Pts(-lo)}{Odds(loser, systemAgainst)}).";
                text += $" Failure to acquire: {a.Model} {Pct(fta.ReferenceValue)}, {b.Model} {Pct(fta.DifferenceValue)}.";
                verdict = $"{recommended} is better (system level, {metric} {Pts(d)} [{Pts(lo)}, {Pts(hi)}])";
            }
            else if (fta.BetterModel != null)
            {
                recommended = fta.BetterModel;
                decidedBy = "FTA";
                string loser = recommended == a.Model ? b.Model : a.Model;
                text = $"Pick {recommended}: {opName} the system-level {(t >= 0 ? "TAR" : "EER")} does not separate the models ({a.Model} {Pct(system.ReferenceValue)}, {b.Model} {Pct(system.DifferenceValue)}, 95% interval of the difference {Pts(system.Lower)} to {Pts(system.Upper)} includes zero), and {recommended} fails to acquire fewer images ({Pct(Value(fta, recommended, a))} against {Pct(Value(fta, loser, a))}, 95% interval of the difference {Pts(fta.Lower)} to {Pts(fta.Upper)}{Odds(loser, ftaAgainst)}).";
                verdict = $"{recommended} is better (fewer failures to acquire; system level {metric} no clear difference)";
            }
            else
            {
                verdict = "no clear difference";
                text = $"No clear difference: {opName}, system level, {a.Model} {what} {Pct(system.ReferenceValue)} and {b.Model} {Pct(system.DifferenceValue)}" +
                    (system.Lower.HasValue ? $" (95% interval of the difference {Pts(system.Lower)} to {Pts(system.Upper)} includes zero)" : " (no interval, see the warnings)") +
                    $", and their failures to acquire ({Pct(fta.ReferenceValue)}, {Pct(fta.DifferenceValue)}) do not separate them either. More identities would narrow the intervals.";
            }

            var disagreement = Disagreement(recommended, a, b, new[] { common, completed }, t >= 0);
            if (disagreement != null) { text += " " + disagreement; }
            var differences = ModelComparer.Differences(a.Model, a.Result.CommonCompleted, a.Common, b.Model, b.Result.CommonCompleted, b.Common, options);
            var c = a.Result.CommonCompleted;
            return new ModelComparison(a.Model, b.Model, c?.GenuinePairs ?? 0, c?.ImpostorPairs ?? 0, c?.Identities ?? 0,
                a.Result.FailureToAcquireRate, b.Result.FailureToAcquireRate, options.BootstrapSamples, options.BootstrapSeed, options.ConfidenceLevel,
                differences, recommended, verdict, t >= 0 ? operatingFar : null, new[] { system, common, completed }, fta, decidedBy, text, disagreement,
                MetricDefinitions.Recommendation);
        }

        /// <summary>
        /// The overall recommendation of several models: the model recommended over every other one in the pairwise
        /// comparisons; with two models, their comparison's recommendation. Null model when there is none.
        /// </summary>
        public static string Overall(IReadOnlyList<string> models, IReadOnlyList<ModelComparison> comparisons, out string recommended)
        {
            recommended = null;
            if (models.Count < 2) { return null; }
            if (models.Count == 2 && comparisons.Count == 1)
            {
                recommended = comparisons[0].RecommendedModel;
                return comparisons[0].Recommendation;
            }

            ModelComparison Between(string x, string y) => comparisons.FirstOrDefault(c =>
                (c.ReferenceModel == x && c.DifferenceModel == y) || (c.ReferenceModel == y && c.DifferenceModel == x));
            var far = comparisons.Select(c => c.OperatingFar).FirstOrDefault(f => f.HasValue);
            string where = far.HasValue ? $"at FAR {TarAtFar.FormatFar(far.Value)}, system level" : "at system level";
            foreach (var m in models)
            {
                var others = models.Where(o => o != m).ToList();
                if (others.All(o => Between(m, o)?.RecommendedModel == m))
                {
                    recommended = m;
                    var reasons = others.Select(o => Between(m, o)).Select(c => $"over {(c.ReferenceModel == m ? c.DifferenceModel : c.ReferenceModel)} by {(c.DecidedBy == "FTA" ? "fewer failures to acquire" : c.DecidedBy)}");
                    return $"Pick {m}: it is recommended over each of the other {others.Count} models {where} ({string.Join("; ", reasons)}).";
                }
            }

            var unbeaten = models.Where(m => !models.Any(o => o != m && Between(m, o)?.RecommendedModel == o)).ToList();
            return $"No single model is recommended: none is recommended over every other {where}." +
                (unbeaten.Count > 0 ? $" Not beaten by any other model: {string.Join(", ", unbeaten)}." : string.Empty);
        }

        private static MetricDifference View(PairSet set, string metric, int t, ModelEvidence a, ModelEvidence b, bool intervals, VerificationOptions options, out int against)
        {
            against = 0;
            var ma = Metrics(a.Result, set);
            var mb = Metrics(b.Result, set);
            var ra = Replicates(a, set);
            var rb = Replicates(b, set);
            double? va, vb;
            double[] xa = null, xb = null;
            bool higherIsBetter = t >= 0;
            if (t >= 0)
            {
                va = ma != null && ma.TarAtFar[t].IsSupported ? ma.TarAtFar[t].Tar : null;
                vb = mb != null && mb.TarAtFar[t].IsSupported ? mb.TarAtFar[t].Tar : null;
                xa = ra?.Tar[t];
                xb = rb?.Tar[t];
            }
            else
            {
                va = ma?.Eer;
                vb = mb?.Eer;
                xa = ra?.Eer;
                xb = rb?.Eer;
            }

            double? lower = null, upper = null;
            string better = null;
            if (intervals && va.HasValue && vb.HasValue && xa != null && xb != null)
            {
                var diffs = new double[xa.Length];
                for (int r = 0; r < diffs.Length; r++) { diffs[r] = xb[r] - xa[r]; }
                BootstrapReplicates.Interval(diffs, options.ConfidenceLevel, out lower, out upper);
                if (lower.HasValue) { better = Better(diffs, vb.Value - va.Value, higherIsBetter, a.Model, b.Model, options.ConfidenceLevel, out against); }
            }

            string say = !va.HasValue || !vb.HasValue ? "not measurable on this pair set"
                : !intervals ? "no interval"
                : !lower.HasValue ? "no interval (see the warnings)"
                : better != null ? better + " better" : "no clear difference";
            return new MetricDifference(metric, t >= 0 ? options.FarTargets[t] : (double?)null, va, vb, va.HasValue && vb.HasValue ? vb - va : null, lower, upper, better, say, set);
        }

        /// <summary>FTA difference with a paired bootstrap over the identities of both models' images (the same draws as the metrics).</summary>
        private static MetricDifference Fta(ModelEvidence a, ModelEvidence b, bool intervals, VerificationOptions options, out int against)
        {
            against = 0;
            double? fa = a.Result.FailureToAcquireRate, fb = b.Result.FailureToAcquireRate;
            double? lower = null, upper = null;
            string better = null;
            if (intervals && fa.HasValue && fb.HasValue && a.ImageIdentity.Length > 0 && b.ImageIdentity.Length > 0)
            {
                var universe = a.ImageIdentity.Concat(b.ImageIdentity).Distinct().OrderBy(i => i).ToArray();
                var weights = new int[universe.Max() + 1];
                var diffs = new double[options.BootstrapSamples];
                for (int r = 0; r < diffs.Length; r++)
                {
                    BootstrapEngine.DrawWeights(options.BootstrapSeed, r, universe, weights);
                    diffs[r] = Rate(b, weights) - Rate(a, weights);
                }

                BootstrapReplicates.Interval(diffs, options.ConfidenceLevel, out lower, out upper);
                if (lower.HasValue) { better = Better(diffs, fb.Value - fa.Value, false, a.Model, b.Model, options.ConfidenceLevel, out against); }
            }

            string say = !fa.HasValue || !fb.HasValue ? "images unknown" : !intervals ? "no interval" : !lower.HasValue ? "no interval" : better != null ? better + " better" : "no clear difference";
            return new MetricDifference("FTA", null, fa, fb, fa.HasValue && fb.HasValue ? fb - fa : null, lower, upper, better, say);
        }

        /// <summary>
        /// The better model by the paired bootstrap: the one whose point estimate is better, where the other model is
        /// strictly better in at most (1 - confidence) / 2 of the replicates (2.5% at 95%). For a continuous difference
        /// this is the 95% percentile interval excluding zero; replicates in which the two tie exactly (a draw without
        /// the identities where one model failed, say) count for neither model. Null when neither qualifies.
        /// </summary>
        internal static string Better(double[] diffs, double point, bool higherIsBetter, string reference, string difference, double confidence, out int against)
        {
            against = 0;
            if (point == 0 || diffs.Length == 0) { return null; }
            bool differenceAhead = higherIsBetter ? point > 0 : point < 0;
            against = diffs.Count(d => differenceAhead ? (higherIsBetter ? d < 0 : d > 0) : (higherIsBetter ? d > 0 : d < 0));
            return against <= (1 - confidence) / 2 * diffs.Length ? (differenceAhead ? difference : reference) : null;
        }

        /// <summary>Weighted FTA of one replicate; NaN when the draw holds none of the model's identities.</summary>
        private static double Rate(ModelEvidence e, int[] weights)
        {
            double failed = 0, all = 0;
            for (int i = 0; i < e.ImageIdentity.Length; i++)
            {
                int w = e.ImageIdentity[i] < weights.Length ? weights[e.ImageIdentity[i]] : 0;
                all += w;
                if (e.ImageFailed[i]) { failed += w; }
            }

            return all > 0 ? failed / all : double.NaN;
        }

        private static string Disagreement(string recommended, ModelEvidence a, ModelEvidence b, MetricDifference[] secondary, bool tar)
        {
            var notes = new List<string>();
            foreach (var v in secondary)
            {
                if (!v.Difference.HasValue || v.Difference.Value == 0) { continue; }
                bool bAhead = tar ? v.Difference > 0 : v.Difference < 0;
                string leader = bAhead ? b.Model : a.Model;
                string other = bAhead ? a.Model : b.Model;
                string name = v.PairSet == PairSet.Completed ? "on the pairs each model completed" : "on the pairs both models completed";
                if (recommended != null && leader != recommended)
                {
                    var failing = recommended == a.Model ? b : a;
                    string why = v.PairSet == PairSet.Completed && (failing.Result.FailureToAcquireRate ?? 0) > 0
                        ? $"{failing.Model} failed to acquire {Pct(failing.Result.FailureToAcquireRate)} of the images, and the pairs of those images (the hardest faces) are left out of its completed-only numbers"
                        : "this view leaves out every pair either model failed on";
                    notes.Add($"{name}, {leader} looks better ({Pct(Value(v, leader, a))} against {Pct(Value(v, other, a))}{(v.BetterModel != null ? ", interval excludes zero" : ", interval includes zero")}) because {why}.");
                }
                else if (recommended == null && v.BetterModel != null)
                {
                    notes.Add($"{name}, {v.BetterModel} is better ({Pct(Value(v, v.BetterModel, a))} against {Pct(Value(v, v.BetterModel == a.Model ? b.Model : a.Model, a))}), but that view leaves out the pairs a model failed on.");
                }
            }

            if (notes.Count == 0) { return null; }
            var text = string.Join(" ", notes.Select(n => char.ToUpperInvariant(n[0]) + n.Substring(1)));
            return text + " The system-level view decides: a deployment meets every image, and an image a model cannot use is a rejected genuine user (as NIST FRTE counts it).";
        }

        private static double? Value(MetricDifference d, string model, ModelEvidence a) => model == a.Model ? d.ReferenceValue : d.DifferenceValue;

        /// <summary>The difference and interval as winner minus loser.</summary>
        private static void Oriented(MetricDifference d, bool winnerIsDifference, out double? value, out double? lower, out double? upper)
        {
            if (winnerIsDifference)
            {
                value = d.Difference;
                lower = d.Lower;
                upper = d.Upper;
            }
            else
            {
                value = -d.Difference;
                lower = -d.Upper;
                upper = -d.Lower;
            }
        }

        private static VerificationMetrics Metrics(VerificationResult r, PairSet set) =>
            set == PairSet.SystemLevel ? r.SystemLevel : set == PairSet.CommonCompleted ? r.CommonCompleted : r.Completed;

        private static BootstrapReplicates Replicates(ModelEvidence e, PairSet set) =>
            set == PairSet.SystemLevel ? e.SystemLevel : set == PairSet.CommonCompleted ? e.Common : e.Completed;

        private static void Interval(double[] reference, double[] difference, double confidence, out double? lower, out double? upper)
        {
            var diffs = new double[reference.Length];
            for (int r = 0; r < diffs.Length; r++) { diffs[r] = difference[r] - reference[r]; }
            BootstrapReplicates.Interval(diffs, confidence, out lower, out upper);
        }

        /// <summary>A rate as every view shows it: percent with two decimals.</summary>
        internal static string Pct(double? value) =>
            value.HasValue && !double.IsNaN(value.Value) ? (value.Value * 100).ToString("F2", Inv) + "%" : "n/a";

        /// <summary>A difference of rates in percentage points, signed.</summary>
        internal static string Pts(double? value) =>
            value.HasValue && !double.IsNaN(value.Value) ? (value.Value * 100).ToString("+0.00;-0.00;0.00", Inv) + " pt" : "n/a";
    }
}
