using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Serialization;

namespace InsightFaceEval
{
    /// <summary>Which pairs a set of metrics was computed on (metrics.md, "Failures").</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public enum PairSet
    {
        /// <summary>Only pairs whose two images were both embedded by this model.</summary>
        Completed = 0,

        /// <summary>Every pair; a pair involving a failure to acquire is scored -1.</summary>
        SystemLevel = 1,

        /// <summary>Only pairs that every compared model completed, so no model wins by failing on hard images.</summary>
        CommonCompleted = 2,
    }

    /// <summary>
    /// 1:1 verification metrics of one model, as metrics.md defines them. One per model from Measure-FaceVerification.
    /// Plain properties and arrays only, so it serialises to the JSON a report or a baseline check reads.
    /// </summary>
    public sealed class VerificationResult
    {
        public VerificationResult(
            string model,
            string protocol,
            int dimension,
            int imageCount,
            int failedImageCount,
            int identityCount,
            VerificationMetrics completed,
            VerificationMetrics systemLevel,
            VerificationMetrics commonCompleted,
            string[] comparedModels,
            double[] farTargets,
            double? threshold,
            int folds,
            int bootstrapSamples,
            int bootstrapSeed,
            ScoredPair[] hardestGenuinePairs,
            ScoredPair[] hardestImpostorPairs,
            string[] definitions,
            string moduleVersion,
            DateTimeOffset measuredAt)
        {
            Model = model;
            Protocol = protocol;
            Dimension = dimension;
            ImageCount = imageCount;
            FailedImageCount = failedImageCount;
            IdentityCount = identityCount;
            Completed = completed;
            SystemLevel = systemLevel;
            CommonCompleted = commonCompleted;
            ComparedModels = comparedModels ?? Array.Empty<string>();
            FarTargets = farTargets ?? Array.Empty<double>();
            Threshold = threshold;
            Folds = folds;
            BootstrapSamples = bootstrapSamples;
            BootstrapSeed = bootstrapSeed;
            HardestGenuinePairs = hardestGenuinePairs ?? Array.Empty<ScoredPair>();
            HardestImpostorPairs = hardestImpostorPairs ?? Array.Empty<ScoredPair>();
            Definitions = definitions ?? Array.Empty<string>();
            ModuleVersion = moduleVersion;
            MeasuredAt = measuredAt;
        }

        /// <summary>Model name as the server (or local engine) named it.</summary>
        public string Model { get; }

        /// <summary>How pairs were formed: AllPairs, GalleryProbe, PairList, or Comparisons (FaceComparison input).</summary>
        public string Protocol { get; }

        /// <summary>Embedding length (0 when no image was embedded).</summary>
        public int Dimension { get; }

        /// <summary>
        /// The distinct images this model's pairs involve (by relative path): the embeddings measured, or the images the
        /// FaceComparison objects name. 0 only when the images are unknown.
        /// </summary>
        public int ImageCount { get; }

        /// <summary>Images with no face (failures to acquire).</summary>
        public int FailedImageCount { get; }

        /// <summary>FTA: images with no face / all images (metrics.md); null when the images are unknown, never a made-up 0.</summary>
        public double? FailureToAcquireRate => ImageCount == 0 ? (double?)null : (double)FailedImageCount / ImageCount;

        public int IdentityCount { get; }

        /// <summary>Metrics on the pairs this model completed.</summary>
        public VerificationMetrics Completed { get; }

        /// <summary>Metrics on every pair, failures scored -1.</summary>
        public VerificationMetrics SystemLevel { get; }

        /// <summary>Metrics on the pairs every model in <see cref="ComparedModels"/> completed; null for a single model.</summary>
        public VerificationMetrics CommonCompleted { get; }

        /// <summary>The models measured together (the common pair set is theirs).</summary>
        public string[] ComparedModels { get; }

        public double[] FarTargets { get; }

        /// <summary>The fixed threshold of -Threshold, reported in each metric set's AtThreshold; null without one.</summary>
        public double? Threshold { get; }

        /// <summary>Folds of the k-fold accuracy.</summary>
        public int Folds { get; }

        /// <summary>Bootstrap replicates behind the intervals (0: no intervals).</summary>
        public int BootstrapSamples { get; }

        public int BootstrapSeed { get; }

        /// <summary>Lowest-scoring completed genuine pairs, lowest first: where mislabelled data and real weaknesses show up.</summary>
        public ScoredPair[] HardestGenuinePairs { get; }

        /// <summary>Highest-scoring completed impostor pairs, highest first.</summary>
        public ScoredPair[] HardestImpostorPairs { get; }

        /// <summary>The metric definitions these numbers follow (metrics.md), one sentence each.</summary>
        public string[] Definitions { get; }

        public string ModuleVersion { get; }

        public DateTimeOffset MeasuredAt { get; }

        /// <summary>True for the one model recommended over every other model measured with it (metrics.md, "Choosing a model").</summary>
        public bool IsRecommended { get; internal set; }

        /// <summary>The overall recommendation of the models measured together, in plain language; null for a single model.</summary>
        public string Recommendation { get; internal set; }

        /// <summary>The FAR the recommendation was decided at; null for a single model or when no FAR is supported.</summary>
        public double? OperatingFar { get; internal set; }

        /// <summary>Subgroup differentials, one per -GroupBy column (docs/subgroups.md); empty without a grouping.</summary>
        public SubgroupAnalysis[] Subgroups { get; internal set; } = Array.Empty<SubgroupAnalysis>();

        public override string ToString()
        {
            var m = Completed;
            if (m == null) { return Model; }
            return string.Format(CultureInfo.InvariantCulture, "{0}: {1}, EER {2:F4}, AUC {3:F4} ({4:N0} genuine / {5:N0} impostor pairs, FTA {6})",
                Model, m.Headline(), m.Eer, m.Auc, m.GenuinePairs, m.ImpostorPairs,
                FailureToAcquireRate.HasValue ? FailureToAcquireRate.Value.ToString("P2", CultureInfo.InvariantCulture) : "n/a");
        }
    }

    /// <summary>Verification metrics of one model on one <see cref="PairSet"/>.</summary>
    public sealed class VerificationMetrics
    {
        public VerificationMetrics(
            PairSet pairSet,
            long genuinePairs,
            long impostorPairs,
            long failedGenuinePairs,
            long failedImpostorPairs,
            int identities,
            TarAtFar[] tarAtFar,
            double eer,
            double eerThreshold,
            double? eerLower,
            double? eerUpper,
            double auc,
            double? aucLower,
            double? aucUpper,
            double bestAccuracy,
            double bestAccuracyThreshold,
            int folds,
            double? kFoldAccuracyMean,
            double? kFoldAccuracyStandardDeviation,
            double? dPrime,
            ScoreSummary genuine,
            ScoreSummary impostor,
            ScoreHistogram histogram,
            RocPoint[] roc,
            ThresholdOutcome atThreshold,
            double? balancedAccuracy = null,
            double? balancedAccuracyThreshold = null,
            double? kFoldBalancedAccuracyMean = null,
            double? kFoldBalancedAccuracyStandardDeviation = null)
        {
            PairSet = pairSet;
            BalancedAccuracy = balancedAccuracy;
            BalancedAccuracyThreshold = balancedAccuracyThreshold;
            KFoldBalancedAccuracyMean = kFoldBalancedAccuracyMean;
            KFoldBalancedAccuracyStandardDeviation = kFoldBalancedAccuracyStandardDeviation;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
            FailedGenuinePairs = failedGenuinePairs;
            FailedImpostorPairs = failedImpostorPairs;
            Identities = identities;
            TarAtFar = tarAtFar ?? Array.Empty<TarAtFar>();
            Eer = eer;
            EerThreshold = eerThreshold;
            EerLower = eerLower;
            EerUpper = eerUpper;
            Auc = auc;
            AucLower = aucLower;
            AucUpper = aucUpper;
            BestAccuracy = bestAccuracy;
            BestAccuracyThreshold = bestAccuracyThreshold;
            Folds = folds;
            KFoldAccuracyMean = kFoldAccuracyMean;
            KFoldAccuracyStandardDeviation = kFoldAccuracyStandardDeviation;
            DPrime = dPrime;
            Genuine = genuine;
            Impostor = impostor;
            Histogram = histogram;
            Roc = roc ?? Array.Empty<RocPoint>();
            AtThreshold = atThreshold;
        }

        public PairSet PairSet { get; }

        /// <summary>Genuine (mated) pairs, including failed ones on the system-level set.</summary>
        public long GenuinePairs { get; }

        /// <summary>Impostor (non-mated) pairs, including failed ones on the system-level set.</summary>
        public long ImpostorPairs { get; }

        /// <summary>Genuine pairs scored -1 because an image had no face (system-level set only; 0 otherwise).</summary>
        public long FailedGenuinePairs { get; }

        /// <summary>Impostor pairs scored -1 because an image had no face (system-level set only; 0 otherwise).</summary>
        public long FailedImpostorPairs { get; }

        /// <summary>Identities that appear in at least one pair of this set.</summary>
        public int Identities { get; }

        /// <summary>TAR at each target FAR, with threshold, achieved FAR and budget, or "insufficient".</summary>
        public TarAtFar[] TarAtFar { get; }

        /// <summary>Equal error rate: (FAR + FRR) / 2 at the candidate threshold minimising |FAR - FRR|.</summary>
        public double Eer { get; }

        public double EerThreshold { get; }

        /// <summary>95% bootstrap interval of the EER (identities resampled); null without -BootstrapSamples.</summary>
        public double? EerLower { get; }

        public double? EerUpper { get; }

        /// <summary>Exact area under the ROC, ties counted as half (Mann-Whitney).</summary>
        public double Auc { get; }

        /// <summary>
        /// 95% bootstrap interval of the AUC (identities resampled); null without -BootstrapSamples, or when the kept
        /// impostor scores do not reach below the lowest genuine score (a warning says so).
        /// </summary>
        public double? AucLower { get; }

        public double? AucUpper { get; }

        /// <summary>Max over thresholds of (TP + TN) / all pairs. The threshold is chosen on the test data itself.</summary>
        public double BestAccuracy { get; }

        public double BestAccuracyThreshold { get; }

        public int Folds { get; }

        /// <summary>Mean accuracy over contiguous folds, each with the threshold chosen on the other folds (LFW protocol).</summary>
        public double? KFoldAccuracyMean { get; }

        public double? KFoldAccuracyStandardDeviation { get; }

        /// <summary>Max over thresholds of (TAR + TRR) / 2: unlike plain accuracy, a model that rejects everything scores 0.5 however many impostors there are.</summary>
        public double? BalancedAccuracy { get; }

        public double? BalancedAccuracyThreshold { get; }

        /// <summary>k-fold balanced accuracy: each fold scored at the best balanced-accuracy threshold of the other folds.</summary>
        public double? KFoldBalancedAccuracyMean { get; }

        public double? KFoldBalancedAccuracyStandardDeviation { get; }

        /// <summary>True when impostor pairs outnumber genuine ones: plain accuracy then flatters a model that rejects everything, so views lead with the balanced accuracy.</summary>
        public bool IsImbalanced => ImpostorPairs > GenuinePairs;

        /// <summary>d' = (mean_G - mean_I) / sqrt((var_G + var_I) / 2); null when undefined.</summary>
        public double? DPrime { get; }

        public ScoreSummary Genuine { get; }

        public ScoreSummary Impostor { get; }

        /// <summary>Genuine and impostor score counts in fixed bins over [-1, 1].</summary>
        public ScoreHistogram Histogram { get; }

        /// <summary>Exact ROC points (each one an actual threshold), thinned for plotting, FAR ascending.</summary>
        public RocPoint[] Roc { get; }

        /// <summary>Outcome at the fixed -Threshold with Clopper-Pearson intervals; null without one.</summary>
        public ThresholdOutcome AtThreshold { get; }

        /// <summary>"TAR 0.9731 @ FAR 1e-04" for the lowest supported target.</summary>
        public string Headline()
        {
            TarAtFar best = null;
            foreach (var t in TarAtFar)
            {
                if (t.IsSupported && (best == null || t.TargetFar < best.TargetFar)) { best = t; }
            }

            return best == null ? "TAR@FAR insufficient" : best.ToString();
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0}: {1}, EER {2:F4}, AUC {3:F4}", PairSet, Headline(), Eer, Auc);
    }
}
