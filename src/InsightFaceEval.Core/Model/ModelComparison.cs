using System;
using System.Globalization;

namespace InsightFaceEval
{
    /// <summary>
    /// Two models on the same pairs (metrics.md: the pairs every compared model completed): differences in TAR@FAR
    /// and EER with paired-bootstrap 95% intervals over identities, and a verdict. Emitted by Measure-FaceVerification
    /// after the per-model results when several models are measured together.
    /// </summary>
    public sealed class ModelComparison
    {
        public ModelComparison(
            string referenceModel,
            string differenceModel,
            long genuinePairs,
            long impostorPairs,
            int identities,
            double? referenceFailureToAcquireRate,
            double? differenceFailureToAcquireRate,
            int bootstrapSamples,
            int bootstrapSeed,
            double confidenceLevel,
            MetricDifference[] differences,
            string betterModel,
            string verdict)
        {
            ReferenceModel = referenceModel;
            DifferenceModel = differenceModel;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
            Identities = identities;
            ReferenceFailureToAcquireRate = referenceFailureToAcquireRate;
            DifferenceFailureToAcquireRate = differenceFailureToAcquireRate;
            BootstrapSamples = bootstrapSamples;
            BootstrapSeed = bootstrapSeed;
            ConfidenceLevel = confidenceLevel;
            Differences = differences ?? Array.Empty<MetricDifference>();
            BetterModel = betterModel;
            Verdict = verdict;
        }

        public string ReferenceModel { get; }

        public string DifferenceModel { get; }

        /// <summary>The pair set the comparison uses.</summary>
        public PairSet PairSet => PairSet.CommonCompleted;

        /// <summary>Genuine pairs both models completed.</summary>
        public long GenuinePairs { get; }

        /// <summary>Impostor pairs both models completed.</summary>
        public long ImpostorPairs { get; }

        /// <summary>Identities resampled by the bootstrap.</summary>
        public int Identities { get; }

        /// <summary>FTA of the reference model; null when its images are unknown.</summary>
        public double? ReferenceFailureToAcquireRate { get; }

        /// <summary>FTA of the difference model; null when its images are unknown.</summary>
        public double? DifferenceFailureToAcquireRate { get; }

        public int BootstrapSamples { get; }

        public int BootstrapSeed { get; }

        public double ConfidenceLevel { get; }

        /// <summary>One entry per TAR@FAR target and one for the EER.</summary>
        public MetricDifference[] Differences { get; }

        /// <summary>The model every decisive difference favours; null when there is none or they disagree.</summary>
        public string BetterModel { get; }

        /// <summary>"eagle is better ..." where an interval excludes zero, otherwise "no clear difference".</summary>
        public string Verdict { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} vs {1}: {2}", ReferenceModel, DifferenceModel, Verdict);
    }

    /// <summary>The difference of one metric between two models (DifferenceModel minus ReferenceModel).</summary>
    public sealed class MetricDifference
    {
        public MetricDifference(
            string metric,
            double? targetFar,
            double? referenceValue,
            double? differenceValue,
            double? difference,
            double? lower,
            double? upper,
            string betterModel,
            string verdict)
        {
            Metric = metric;
            TargetFar = targetFar;
            ReferenceValue = referenceValue;
            DifferenceValue = differenceValue;
            Difference = difference;
            Lower = lower;
            Upper = upper;
            BetterModel = betterModel;
            Verdict = verdict;
        }

        /// <summary>"TAR@FAR=1e-3" or "EER".</summary>
        public string Metric { get; }

        public double? TargetFar { get; }

        public double? ReferenceValue { get; }

        public double? DifferenceValue { get; }

        /// <summary>DifferenceValue - ReferenceValue.</summary>
        public double? Difference { get; }

        /// <summary>95% paired-bootstrap percentile interval of the difference.</summary>
        public double? Lower { get; }

        public double? Upper { get; }

        /// <summary>The better model when the interval excludes zero (higher TAR, lower EER); otherwise null.</summary>
        public string BetterModel { get; }

        public string Verdict { get; }

        public override string ToString() =>
            !Difference.HasValue ? string.Format(CultureInfo.InvariantCulture, "{0}: {1}", Metric, Verdict)
            : Lower.HasValue ? string.Format(CultureInfo.InvariantCulture, "{0}: {1:+0.0000;-0.0000;0} [{2:+0.0000;-0.0000;0}, {3:+0.0000;-0.0000;0}] {4}", Metric, Difference, Lower, Upper, Verdict)
            : string.Format(CultureInfo.InvariantCulture, "{0}: {1:+0.0000;-0.0000;0} ({2})", Metric, Difference, Verdict);
    }
}
