using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The paired comparison of two models on the pairs both completed: per TAR@FAR target and for the EER, the
    /// difference (second minus first), its percentile interval from the same bootstrap replicates of both models,
    /// and which model is better where the interval excludes zero.
    /// </summary>
    public static class ModelComparer
    {
        public static ModelComparison Compare(
            string referenceModel, VerificationMetrics reference, BootstrapReplicates referenceReplicates, double? referenceFta,
            string differenceModel, VerificationMetrics difference, BootstrapReplicates differenceReplicates, double? differenceFta,
            VerificationOptions options)
        {
            if (reference == null || difference == null) { return null; }
            bool hasIntervals = referenceReplicates != null && differenceReplicates != null && options.BootstrapSamples > 0;
            var entries = new List<MetricDifference>();
            for (int t = 0; t < options.FarTargets.Length; t++)
            {
                var a = reference.TarAtFar[t];
                var b = difference.TarAtFar[t];
                string metric = "TAR@FAR=" + TarAtFar.FormatFar(options.FarTargets[t]);
                if (!a.IsSupported || !b.IsSupported)
                {
                    entries.Add(new MetricDifference(metric, options.FarTargets[t], a.Tar, b.Tar, null, null, null, null, "insufficient data for this FAR"));
                    continue;
                }

                double? lower = null, upper = null;
                if (hasIntervals) { Interval(referenceReplicates.Tar[t], differenceReplicates.Tar[t], options.ConfidenceLevel, out lower, out upper); }
                string better = lower > 0 ? differenceModel : upper < 0 ? referenceModel : null;
                entries.Add(new MetricDifference(metric, options.FarTargets[t], a.Tar, b.Tar, b.Tar - a.Tar, lower, upper, better, Say(better, hasIntervals, lower)));
            }

            {
                double? lower = null, upper = null;
                if (hasIntervals) { Interval(referenceReplicates.Eer, differenceReplicates.Eer, options.ConfidenceLevel, out lower, out upper); }

                // A lower EER is better.
                string better = upper < 0 ? differenceModel : lower > 0 ? referenceModel : null;
                entries.Add(new MetricDifference("EER", null, reference.Eer, difference.Eer, difference.Eer - reference.Eer, lower, upper, better, Say(better, hasIntervals, lower)));
            }

            var decisive = entries.Where(e => e.BetterModel != null).ToList();
            string betterModel = null;
            string verdict;
            if (!hasIntervals)
            {
                verdict = "no verdict: intervals need -BootstrapSamples above 0";
            }
            else if (decisive.Count == 0)
            {
                verdict = "no clear difference";
            }
            else if (decisive.All(e => e.BetterModel == decisive[0].BetterModel))
            {
                betterModel = decisive[0].BetterModel;
                verdict = string.Format(CultureInfo.InvariantCulture, "{0} is better ({1})", betterModel, string.Join("; ", decisive.Select(Describe)));
            }
            else
            {
                verdict = string.Format(CultureInfo.InvariantCulture, "mixed: {0}", string.Join("; ", decisive.Select(e => e.BetterModel + " better on " + Describe(e))));
            }

            return new ModelComparison(referenceModel, differenceModel, reference.GenuinePairs, reference.ImpostorPairs, reference.Identities,
                referenceFta, differenceFta, options.BootstrapSamples, options.BootstrapSeed, options.ConfidenceLevel, entries.ToArray(), betterModel, verdict);
        }

        private static string Say(string better, bool hasIntervals, double? lower)
        {
            if (!hasIntervals) { return "no interval"; }
            if (!lower.HasValue) { return "no interval (see notes)"; }
            return better != null ? better + " better" : "no clear difference";
        }

        private static string Describe(MetricDifference e) =>
            string.Format(CultureInfo.InvariantCulture, "{0} {1:+0.0000;-0.0000;0} [{2:+0.0000;-0.0000;0}, {3:+0.0000;-0.0000;0}]", e.Metric, e.Difference, e.Lower, e.Upper);

        private static void Interval(double[] reference, double[] difference, double confidence, out double? lower, out double? upper)
        {
            var diffs = new double[reference.Length];
            for (int r = 0; r < diffs.Length; r++) { diffs[r] = difference[r] - reference[r]; }
            BootstrapReplicates.Interval(diffs, confidence, out lower, out upper);
        }
    }
}
