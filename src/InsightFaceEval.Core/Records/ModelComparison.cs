using System;
using System.Globalization;

namespace InsightFaceEval
{
    /// <summary>
    /// Two models compared, and which one to pick (metrics.md, "Choosing a model"). The decision is made at system level
    /// (a pair with a failed image scored -1) at <see cref="OperatingFar"/>, with a paired-bootstrap interval over
    /// identities; the completed-only and common-pair views, and the FTA difference with its own interval, are shown
    /// beside it. <see cref="Differences"/> keeps the detailed per-target comparison on the pairs both completed.
    /// Emitted by Measure-FaceVerification after the per-model results when several models are measured together.
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
            string verdict,
            double? operatingFar = null,
            MetricDifference[] views = null,
            MetricDifference failureToAcquire = null,
            string decidedBy = null,
            string recommendation = null,
            string disagreement = null,
            string[] definitions = null)
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
            OperatingFar = operatingFar;
            Views = views ?? Array.Empty<MetricDifference>();
            FailureToAcquire = failureToAcquire;
            DecidedBy = decidedBy;
            Recommendation = recommendation;
            Disagreement = disagreement;
            Definitions = definitions ?? Array.Empty<string>();
        }

        public string ReferenceModel { get; }

        public string DifferenceModel { get; }

        /// <summary>The model to pick (the decision of <see cref="DecidedBy"/>); null when the data do not separate them.</summary>
        public string RecommendedModel => BetterModel;

        /// <summary>The recommendation in plain language, with its reason (first line of the report).</summary>
        public string Recommendation { get; }

        /// <summary>The FAR of the operating point the decision is made at (-OperatingFar, or the strictest every model supports); null when none is supported.</summary>
        public double? OperatingFar { get; }

        /// <summary>What decided: "SystemLevel TAR@FAR=1e-3", "FTA", or null when nothing did.</summary>
        public string DecidedBy { get; }

        /// <summary>The same metric at the operating point on each pair set: SystemLevel (decides) first, then CommonCompleted and Completed.</summary>
        public MetricDifference[] Views { get; }

        /// <summary>FTA of the difference model minus the reference model's, with its paired-bootstrap interval (lower is better).</summary>
        public MetricDifference FailureToAcquire { get; }

        /// <summary>Where a secondary view points the other way, which view decides and why; null when they agree.</summary>
        public string Disagreement { get; }

        /// <summary>The rules this comparison follows (metrics.md), one sentence each.</summary>
        public string[] Definitions { get; }

        /// <summary>The pair set of <see cref="Differences"/>, <see cref="GenuinePairs"/> and <see cref="ImpostorPairs"/>.</summary>
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

        /// <summary>On the pairs both models completed: one entry per TAR@FAR target and one for the EER.</summary>
        public MetricDifference[] Differences { get; }

        /// <summary>The recommended model (same as <see cref="RecommendedModel"/>); null when the data do not separate them.</summary>
        public string BetterModel { get; }

        /// <summary>Short form of the decision: "eagle is better (...)", "no clear difference", or "no verdict: ...".</summary>
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
            string verdict,
            PairSet? pairSet = null)
        {
            PairSet = pairSet;
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

        /// <summary>"TAR@FAR=1e-3", "EER" or "FTA".</summary>
        public string Metric { get; }

        /// <summary>The pair set of a view (null for the common-pair differences and the FTA).</summary>
        public PairSet? PairSet { get; }

        public double? TargetFar { get; }

        public double? ReferenceValue { get; }

        public double? DifferenceValue { get; }

        /// <summary>DifferenceValue - ReferenceValue.</summary>
        public double? Difference { get; }

        /// <summary>95% paired-bootstrap percentile interval of the difference.</summary>
        public double? Lower { get; }

        public double? Upper { get; }

        /// <summary>The better model when the interval excludes zero (higher TAR, lower EER or FTA); otherwise null.</summary>
        public string BetterModel { get; }

        public string Verdict { get; }

        public override string ToString() =>
            !Difference.HasValue ? string.Format(CultureInfo.InvariantCulture, "{0}: {1}", Metric, Verdict)
            : Lower.HasValue ? string.Format(CultureInfo.InvariantCulture, "{0}: {1:+0.0000;-0.0000;0} [{2:+0.0000;-0.0000;0}, {3:+0.0000;-0.0000;0}] {4}", Metric, Difference, Lower, Upper, Verdict)
            : string.Format(CultureInfo.InvariantCulture, "{0}: {1:+0.0000;-0.0000;0} ({2})", Metric, Difference, Verdict);
    }
}
