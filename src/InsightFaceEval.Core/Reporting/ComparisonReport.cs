using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    /// <summary>Two models compared: the recommendation (system level at the operating point), its views and FTA, and the detailed common-pair differences.</summary>
    public sealed class ComparisonReport
    {
        public ComparisonReport(
            string referenceModel,
            string differenceModel,
            long genuinePairs,
            long impostorPairs,
            int identities,
            double? referenceFta,
            double? differenceFta,
            int bootstrapSamples,
            int bootstrapSeed,
            string betterModel,
            string verdict,
            IEnumerable<MetricDifference> differences,
            double? operatingFar = null,
            string recommendation = null,
            string decidedBy = null,
            IEnumerable<MetricDifference> views = null,
            MetricDifference failureToAcquire = null,
            string disagreement = null)
        {
            OperatingFar = operatingFar;
            Recommendation = recommendation;
            DecidedBy = decidedBy;
            Views = (views ?? Enumerable.Empty<MetricDifference>()).ToArray();
            FailureToAcquire = failureToAcquire;
            Disagreement = disagreement;
            ReferenceModel = referenceModel;
            DifferenceModel = differenceModel;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
            Identities = identities;
            ReferenceFta = referenceFta;
            DifferenceFta = differenceFta;
            BootstrapSamples = bootstrapSamples;
            BootstrapSeed = bootstrapSeed;
            BetterModel = betterModel;
            Verdict = verdict;
            Differences = (differences ?? Enumerable.Empty<MetricDifference>()).ToArray();
        }

        public string ReferenceModel { get; }

        public string DifferenceModel { get; }

        /// <summary>Genuine pairs both models completed.</summary>
        public long GenuinePairs { get; }

        public long ImpostorPairs { get; }

        /// <summary>Identities the bootstrap resampled.</summary>
        public int Identities { get; }

        public double? ReferenceFta { get; }

        public double? DifferenceFta { get; }

        public int BootstrapSamples { get; }

        public int BootstrapSeed { get; }

        /// <summary>The recommended model, or null.</summary>
        public string BetterModel { get; }

        /// <summary>Short form of the decision: "x is better (...)", "no clear difference", "no verdict: ...".</summary>
        public string Verdict { get; }

        /// <summary>The recommendation and its reason, in plain language.</summary>
        public string Recommendation { get; }

        /// <summary>The FAR the decision was made at.</summary>
        public double? OperatingFar { get; }

        /// <summary>What decided ("SystemLevel TAR@FAR=1e-3", "FTA"), or null.</summary>
        public string DecidedBy { get; }

        /// <summary>The operating-point metric on each pair set, system level (decides) first.</summary>
        public IReadOnlyList<MetricDifference> Views { get; }

        /// <summary>The FTA difference with its paired interval.</summary>
        public MetricDifference FailureToAcquire { get; }

        /// <summary>Where a secondary view points the other way, which view decides and why.</summary>
        public string Disagreement { get; }

        /// <summary>Detailed differences on the pairs both models completed (secondary).</summary>
        public IReadOnlyList<MetricDifference> Differences { get; }
    }

    /// <summary>One model's 1:N identification results.</summary>
    public sealed class IdentificationReport
    {
        public IdentificationReport(
            string name,
            long matedProbes,
            long nonMatedProbes,
            int galleryIdentities,
            IEnumerable<double> cmc,
            IEnumerable<TpirAtFpir> tpirAtFpir,
            double? failureToAcquireRate = null)
        {
            Name = name;
            FailureToAcquireRate = failureToAcquireRate;
            MatedProbes = matedProbes;
            NonMatedProbes = nonMatedProbes;
            GalleryIdentities = galleryIdentities;
            Cmc = (cmc ?? Enumerable.Empty<double>()).ToArray();
            TpirAtFpir = (tpirAtFpir ?? Enumerable.Empty<TpirAtFpir>()).OrderByDescending(t => t.TargetFpir).ToArray();
        }

        public string Name { get; }

        public long MatedProbes { get; }

        public long NonMatedProbes { get; }

        public int GalleryIdentities { get; }

        public double? FailureToAcquireRate { get; }

        /// <summary>Rank-k identification rate for k = 1..K (index 0 is Rank-1).</summary>
        public IReadOnlyList<double> Cmc { get; }

        public double? Rank1 => Cmc.Count > 0 ? Cmc[0] : (double?)null;

        public double? Rank5 => Cmc.Count > 4 ? Cmc[4] : Cmc.Count > 0 ? Cmc[Cmc.Count - 1] : (double?)null;

        /// <summary>TPIR at FPIR targets (same budget rule as TAR@FAR), the loosest target first.</summary>
        public IReadOnlyList<TpirAtFpir> TpirAtFpir { get; }
    }
}
