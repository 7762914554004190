using System;
using System.Globalization;

namespace InsightFaceEval
{
    /// <summary>1:N identification metrics of one model (metrics.md, "1:N identification"). One per model from Measure-FaceIdentification.</summary>
    public sealed class IdentificationResult
    {
        public IdentificationResult(
            string model,
            string layout,
            int dimension,
            int imageCount,
            int failedImageCount,
            int galleryIdentities,
            int galleryTemplates,
            int failedGalleryTemplates,
            IdentificationMetrics completed,
            IdentificationMetrics systemLevel,
            double[] fpirTargets,
            int maxRank,
            string[] definitions,
            string moduleVersion,
            DateTimeOffset measuredAt)
        {
            Model = model;
            Layout = layout;
            Dimension = dimension;
            ImageCount = imageCount;
            FailedImageCount = failedImageCount;
            GalleryIdentities = galleryIdentities;
            GalleryTemplates = galleryTemplates;
            FailedGalleryTemplates = failedGalleryTemplates;
            Completed = completed;
            SystemLevel = systemLevel;
            FpirTargets = fpirTargets ?? Array.Empty<double>();
            MaximumRank = maxRank;
            Definitions = definitions ?? Array.Empty<string>();
            ModuleVersion = moduleVersion;
            MeasuredAt = measuredAt;
        }

        public string Model { get; }

        /// <summary>Folders (root/gallery, root/probe, root/unknown) or AutoSplit (one gallery image per identity folder).</summary>
        public string Layout { get; }

        public int Dimension { get; }

        public int ImageCount { get; }

        public int FailedImageCount { get; }

        /// <summary>FTA: images with no face / all images.</summary>
        public double FailureToAcquireRate => ImageCount == 0 ? 0 : (double)FailedImageCount / ImageCount;

        /// <summary>Identities with at least one embedded gallery template.</summary>
        public int GalleryIdentities { get; }

        /// <summary>Embedded gallery templates.</summary>
        public int GalleryTemplates { get; }

        /// <summary>Gallery images with no face (left out of the gallery).</summary>
        public int FailedGalleryTemplates { get; }

        /// <summary>Metrics over the probes this model embedded.</summary>
        public IdentificationMetrics Completed { get; }

        /// <summary>Metrics over every probe: a probe with no face is a miss, and never a false positive.</summary>
        public IdentificationMetrics SystemLevel { get; }

        public double[] FpirTargets { get; }

        /// <summary>Bootstrap replicates behind the intervals (0: none), over the probes' identities.</summary>
        public int BootstrapSamples { get; internal set; }

        public int BootstrapSeed { get; internal set; }


        /// <summary>The highest rank of the CMC curve (-MaximumRank).</summary>
        public int MaximumRank { get; }

        /// <summary>The former name of <see cref="MaximumRank"/>, kept so scripts that read it keep working.</summary>
        public int MaxRank => MaximumRank;

        public string[] Definitions { get; }

        public string ModuleVersion { get; }

        public DateTimeOffset MeasuredAt { get; }

        public override string ToString()
        {
            var m = Completed;
            return m == null ? Model : string.Format(CultureInfo.InvariantCulture, "{0}: Rank-1 {1:P2}, Rank-5 {2:P2} ({3:N0} mated / {4:N0} non-mated probes, {5:N0} identities)",
                Model, m.Rank1, m.Rank5, m.MatedProbes, m.NonMatedProbes, GalleryIdentities);
        }
    }

    /// <summary>Identification metrics over one set of probes.</summary>
    public sealed class IdentificationMetrics
    {
        public IdentificationMetrics(
            PairSet pairSet,
            int matedProbes,
            int nonMatedProbes,
            int failedMatedProbes,
            int failedNonMatedProbes,
            double? rank1,
            double? rank5,
            CmcPoint[] cmc,
            TpirAtFpir[] tpirAtFpir)
        {
            PairSet = pairSet;
            MatedProbes = matedProbes;
            NonMatedProbes = nonMatedProbes;
            FailedMatedProbes = failedMatedProbes;
            FailedNonMatedProbes = failedNonMatedProbes;
            Rank1 = rank1;
            Rank5 = rank5;
            Cmc = cmc ?? Array.Empty<CmcPoint>();
            TpirAtFpir = tpirAtFpir ?? Array.Empty<TpirAtFpir>();
        }

        /// <summary>Completed or SystemLevel.</summary>
        public PairSet PairSet { get; }

        /// <summary>Probes whose identity is in the gallery (including failed ones on the system-level set).</summary>
        public int MatedProbes { get; }

        /// <summary>Probes of people not in the gallery (open set).</summary>
        public int NonMatedProbes { get; }

        public int FailedMatedProbes { get; }

        public int FailedNonMatedProbes { get; }

        /// <summary>Share of mated probes whose true identity ranks first (ties count against); null without mated probes.</summary>
        public double? Rank1 { get; }

        public double? Rank5 { get; }

        /// <summary>Bootstrap percentile interval of Rank-1 (identities resampled); null without a bootstrap or when a replicate drew no mated probe.</summary>
        public double? Rank1Lower { get; internal set; }

        public double? Rank1Upper { get; internal set; }

        public double? Rank5Lower { get; internal set; }

        public double? Rank5Upper { get; internal set; }

        /// <summary>Rank-k for k = 1..MaxRank (capped at the gallery size).</summary>
        public CmcPoint[] Cmc { get; }

        /// <summary>Open-set TPIR at each target FPIR; empty without non-mated probes.</summary>
        public TpirAtFpir[] TpirAtFpir { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0}: Rank-1 {1:P2}, Rank-5 {2:P2}", PairSet, Rank1, Rank5);
    }

    /// <summary>One point of the CMC curve.</summary>
    public sealed class CmcPoint
    {
        public CmcPoint(int rank, double identificationRate)
        {
            Rank = rank;
            IdentificationRate = identificationRate;
        }

        public int Rank { get; }

        /// <summary>Share of mated probes whose true identity is among the top <see cref="Rank"/>.</summary>
        public double IdentificationRate { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Rank-{0}: {1:P2}", Rank, IdentificationRate);
    }

    /// <summary>Open-set TPIR at one target FPIR (same budget rule as TAR@FAR, on the non-mated probes' top-1 scores).</summary>
    public sealed class TpirAtFpir
    {
        public TpirAtFpir(
            double targetFpir,
            bool isSupported,
            long falsePositiveBudget,
            double lowestSupportableFpir,
            double? tpir,
            double? threshold,
            double? achievedFpir,
            long? falsePositives)
        {
            TargetFpir = targetFpir;
            IsSupported = isSupported;
            FalsePositiveBudget = falsePositiveBudget;
            LowestSupportableFpir = lowestSupportableFpir;
            Tpir = tpir;
            Threshold = threshold;
            AchievedFpir = achievedFpir;
            FalsePositives = falsePositives;
        }

        public double TargetFpir { get; }

        /// <summary>False when floor(TargetFpir * non-mated probes) is 0 ("insufficient").</summary>
        public bool IsSupported { get; }

        public long FalsePositiveBudget { get; }

        /// <summary>1 / non-mated probes.</summary>
        public double LowestSupportableFpir { get; }

        /// <summary>1 - FNIR: mated probes identified at rank 1 with a score &gt;= threshold.</summary>
        public double? Tpir { get; }

        /// <summary>Bootstrap percentile interval of the TPIR (the threshold re-derived in each replicate); null without one.</summary>
        public double? TpirLower { get; internal set; }

        public double? TpirUpper { get; internal set; }

        public double? Threshold { get; }

        /// <summary>FPIR at the threshold; never above the target.</summary>
        public double? AchievedFpir { get; }

        public long? FalsePositives { get; }

        public override string ToString() =>
            IsSupported
                ? string.Format(CultureInfo.InvariantCulture, "TPIR {0:F4} @ FPIR {1} (threshold {2:F4})", Tpir, InsightFaceEval.TarAtFar.FormatFar(TargetFpir), Threshold)
                : string.Format(CultureInfo.InvariantCulture, "TPIR @ FPIR {0} insufficient (lowest supportable {1})", InsightFaceEval.TarAtFar.FormatFar(TargetFpir), InsightFaceEval.TarAtFar.FormatFar(LowestSupportableFpir));
    }
}
