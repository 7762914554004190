using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The detailed paired comparison of two models on the pairs both completed (a secondary view; see
    /// <see cref="ModelVerdict"/> for the decision): per TAR@FAR target and for the EER, the difference (second minus
    /// first), its percentile interval from the same bootstrap replicates of both models, and which model is better
    /// by the same rule as the decision (the other model better in at most 2.5% of the replicates at 95%).
    /// </summary>
    public static class ModelComparer
    {
        /// <summary>The per-target and EER differences on the pairs both models completed; empty when either has no common metrics.</summary>
        public static MetricDifference[] Differences(
            string referenceModel, VerificationMetrics reference, BootstrapReplicates referenceReplicates,
            string differenceModel, VerificationMetrics difference, BootstrapReplicates differenceReplicates,
            VerificationOptions options)
        {
            if (reference == null || difference == null) { return new MetricDifference[0]; }
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
                string better = null;
                if (hasIntervals)
                {
                    better = Compare(referenceReplicates.Tar[t], differenceReplicates.Tar[t], b.Tar.Value - a.Tar.Value, true, referenceModel, differenceModel, options, out lower, out upper);
                }

                entries.Add(new MetricDifference(metric, options.FarTargets[t], a.Tar, b.Tar, b.Tar - a.Tar, lower, upper, better, Say(better, hasIntervals, lower)));
            }

            {
                double? lower = null, upper = null;
                string better = null;
                if (hasIntervals)
                {
                    // A lower EER is better.
                    better = Compare(referenceReplicates.Eer, differenceReplicates.Eer, difference.Eer - reference.Eer, false, referenceModel, differenceModel, options, out lower, out upper);
                }

                entries.Add(new MetricDifference("EER", null, reference.Eer, difference.Eer, difference.Eer - reference.Eer, lower, upper, better, Say(better, hasIntervals, lower)));
            }

            return entries.ToArray();
        }

        private static string Say(string better, bool hasIntervals, double? lower)
        {
            if (!hasIntervals) { return "no interval"; }
            if (!lower.HasValue) { return "no interval (see notes)"; }
            return better != null ? better + " better" : "no clear difference";
        }

        /// <summary>The interval of the paired differences and the better model by the decision's own rule (<see cref="ModelVerdict.Better"/>), so no view of one report contradicts another.</summary>
        private static string Compare(double[] reference, double[] difference, double point, bool higherIsBetter, string referenceModel, string differenceModel, VerificationOptions options, out double? lower, out double? upper)
        {
            var diffs = new double[reference.Length];
            for (int r = 0; r < diffs.Length; r++) { diffs[r] = difference[r] - reference[r]; }
            BootstrapReplicates.Interval(diffs, options.ConfidenceLevel, out lower, out upper);
            return lower.HasValue ? ModelVerdict.Better(diffs, point, higherIsBetter, referenceModel, differenceModel, options.ConfidenceLevel, out _) : null;
        }
    }
}
