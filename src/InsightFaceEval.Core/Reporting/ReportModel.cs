using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    // The report's content, independent of how it is rendered. Every renderer (HTML, Markdown, JSON)
    // reads this model only, so the three formats can never disagree. The JSON schema
    // (docs/report-schema.md) is this model, property for property.

    /// <summary>A whole evaluation report: per-model verification, comparisons, identification, provenance.</summary>
    public sealed class EvaluationReport
    {
        /// <summary>Bumped on any change an ops tool could notice: "major.minor"; minor adds fields only.</summary>
        public const string CurrentSchemaVersion = "1.1";

        public EvaluationReport(
            string title,
            DateTimeOffset generatedAt,
            ReportProvenance provenance,
            DatasetSummary dataset,
            IEnumerable<ModelReport> models,
            IEnumerable<ComparisonReport> comparisons,
            IEnumerable<IdentificationReport> identification,
            IEnumerable<string> notes,
            ReportRecommendation recommendation = null)
        {
            Recommendation = recommendation;
            Title = string.IsNullOrWhiteSpace(title) ? "Face verification evaluation" : title;
            GeneratedAt = generatedAt.ToUniversalTime();
            Provenance = provenance ?? throw new ArgumentNullException(nameof(provenance));
            Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
            Models = (models ?? Enumerable.Empty<ModelReport>()).ToArray();
            Comparisons = (comparisons ?? Enumerable.Empty<ComparisonReport>()).ToArray();
            Identification = (identification ?? Enumerable.Empty<IdentificationReport>()).ToArray();
            Notes = (notes ?? Enumerable.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        }

        public string SchemaVersion => CurrentSchemaVersion;

        /// <summary>Which model to pick, in plain language: the report's first lines. Null when fewer than two models were compared.</summary>
        public ReportRecommendation Recommendation { get; }

        public string Title { get; }

        public DateTimeOffset GeneratedAt { get; }

        public ReportProvenance Provenance { get; }

        public DatasetSummary Dataset { get; }

        public IReadOnlyList<ModelReport> Models { get; }

        public IReadOnlyList<ComparisonReport> Comparisons { get; }

        public IReadOnlyList<IdentificationReport> Identification { get; }

        /// <summary>Free-text statements the evaluator wants on the report (how pairs were made, caveats).</summary>
        public IReadOnlyList<string> Notes { get; }
    }

    /// <summary>The overall recommendation of a report (metrics.md, "Choosing a model").</summary>
    public sealed class ReportRecommendation
    {
        public ReportRecommendation(string model, string text, double? operatingFar, IEnumerable<string> rules)
        {
            Model = model;
            Text = text;
            OperatingFar = operatingFar;
            Rules = (rules ?? Enumerable.Empty<string>()).ToArray();
        }

        /// <summary>The recommended model; null when the data do not single one out.</summary>
        public string Model { get; }

        /// <summary>The recommendation and its reason, in plain language.</summary>
        public string Text { get; }

        /// <summary>The FAR the decision was made at (system level).</summary>
        public double? OperatingFar { get; }

        /// <summary>The decision rules (metrics.md).</summary>
        public IReadOnlyList<string> Rules { get; }
    }

    /// <summary>Where the numbers came from. Never holds the endpoint URL: only its salted fingerprint.</summary>
    public sealed class ReportProvenance
    {
        public ReportProvenance(
            string moduleVersion,
            IEnumerable<string> endpointFingerprints,
            DateTimeOffset? firstExtraction,
            DateTimeOffset? lastExtraction,
            IEnumerable<KeyValuePair<string, string>> settings)
        {
            ModuleVersion = moduleVersion ?? ModuleInfo.Version;
            EndpointFingerprints = (endpointFingerprints ?? Enumerable.Empty<string>())
                .Where(f => !string.IsNullOrEmpty(f)).Distinct(StringComparer.Ordinal).ToArray();
            FirstExtraction = firstExtraction?.ToUniversalTime();
            LastExtraction = lastExtraction?.ToUniversalTime();
            Settings = (settings ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToArray();
        }

        public string ModuleVersion { get; }

        /// <summary>Salted fingerprints of the endpoints the embeddings came from (one when a run used one endpoint).</summary>
        public IReadOnlyList<string> EndpointFingerprints { get; }

        public DateTimeOffset? FirstExtraction { get; }

        public DateTimeOffset? LastExtraction { get; }

        /// <summary>Crop settings, protocol and whatever else the evaluator recorded, in the order given.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }
    }

    /// <summary>What was evaluated: the dataset's size as the metrics saw it.</summary>
    public sealed class DatasetSummary
    {
        public DatasetSummary(string protocol, int? identities, int? images, long? genuinePairs, long? impostorPairs)
        {
            Protocol = protocol;
            Identities = identities;
            Images = images;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
        }

        public string Protocol { get; }

        public int? Identities { get; }

        public int? Images { get; }

        public long? GenuinePairs { get; }

        public long? ImpostorPairs { get; }
    }

    /// <summary>One model's verification results.</summary>
    public sealed class ModelReport
    {
        public ModelReport(
            string name,
            int? dimension,
            int? images,
            int? failedImages,
            double? failureToAcquireRate,
            MetricSet completed,
            MetricSet systemLevel,
            MetricSet commonPairs,
            ScoreSummary genuineScores,
            ScoreSummary impostorScores,
            IEnumerable<RocPoint> roc,
            ReportHistogram histogram,
            IEnumerable<HardPair> hardestGenuine,
            IEnumerable<HardPair> hardestImpostor,
            IEnumerable<RocPoint> systemLevelRoc = null)
        {
            SystemLevelRoc = (systemLevelRoc ?? Enumerable.Empty<RocPoint>()).ToArray();
            if (string.IsNullOrEmpty(name)) { throw new ArgumentException("A model needs a name.", nameof(name)); }
            Name = name;
            Dimension = dimension;
            Images = images;
            FailedImages = failedImages;
            FailureToAcquireRate = failureToAcquireRate;
            Completed = completed ?? throw new ArgumentNullException(nameof(completed));
            SystemLevel = systemLevel;
            CommonPairs = commonPairs;
            GenuineScores = genuineScores;
            ImpostorScores = impostorScores;
            Roc = (roc ?? Enumerable.Empty<RocPoint>()).ToArray();
            Histogram = histogram;
            HardestGenuine = (hardestGenuine ?? Enumerable.Empty<HardPair>()).ToArray();
            HardestImpostor = (hardestImpostor ?? Enumerable.Empty<HardPair>()).ToArray();
        }

        /// <summary>The model name as the server named it.</summary>
        public string Name { get; }

        /// <summary>Exact ROC points at system level (failed images scored -1); the curves a decision at system level reads.</summary>
        public IReadOnlyList<RocPoint> SystemLevelRoc { get; }

        public int? Dimension { get; }

        public int? Images { get; }

        public int? FailedImages { get; }

        /// <summary>FTA: images with no face / all images.</summary>
        public double? FailureToAcquireRate { get; }

        /// <summary>Metrics on the pairs this model completed.</summary>
        public MetricSet Completed { get; }

        /// <summary>System-level metrics: every pair involving a failed image scored -1.</summary>
        public MetricSet SystemLevel { get; }

        /// <summary>Metrics on the pairs every compared model completed.</summary>
        public MetricSet CommonPairs { get; }

        public ScoreSummary GenuineScores { get; }

        public ScoreSummary ImpostorScores { get; }

        /// <summary>ROC points (thinned for plotting), by decreasing threshold.</summary>
        public IReadOnlyList<RocPoint> Roc { get; }

        public ReportHistogram Histogram { get; }

        /// <summary>The lowest-scoring genuine pairs, lowest first.</summary>
        public IReadOnlyList<HardPair> HardestGenuine { get; }

        /// <summary>The highest-scoring impostor pairs, highest first.</summary>
        public IReadOnlyList<HardPair> HardestImpostor { get; }
    }

    /// <summary>The metrics of one pair population (completed, system-level or common pairs).</summary>
    public sealed class MetricSet
    {
        public MetricSet(
            long genuinePairs,
            long impostorPairs,
            IEnumerable<ReportTarAtFar> tarAtFar,
            double? eer,
            double? eerThreshold,
            double? auc,
            double? bestAccuracy,
            double? bestAccuracyThreshold,
            double? kFoldAccuracyMean,
            double? kFoldAccuracyStdDev,
            double? dPrime,
            long failedGenuinePairs = 0,
            long failedImpostorPairs = 0,
            double? eerIntervalLow = null,
            double? eerIntervalHigh = null,
            ReportThresholdOutcome atThreshold = null,
            double? balancedAccuracy = null,
            double? balancedAccuracyThreshold = null,
            double? kFoldBalancedAccuracyMean = null,
            double? kFoldBalancedAccuracyStdDev = null)
        {
            BalancedAccuracy = balancedAccuracy;
            BalancedAccuracyThreshold = balancedAccuracyThreshold;
            KFoldBalancedAccuracyMean = kFoldBalancedAccuracyMean;
            KFoldBalancedAccuracyStdDev = kFoldBalancedAccuracyStdDev;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
            FailedGenuinePairs = failedGenuinePairs;
            FailedImpostorPairs = failedImpostorPairs;
            EerIntervalLow = eerIntervalLow;
            EerIntervalHigh = eerIntervalHigh;
            AtThreshold = atThreshold;
            TarAtFar = (tarAtFar ?? Enumerable.Empty<ReportTarAtFar>()).OrderByDescending(t => t.TargetFar).ToArray();
            Eer = eer;
            EerThreshold = eerThreshold;
            Auc = auc;
            BestAccuracy = bestAccuracy;
            BestAccuracyThreshold = bestAccuracyThreshold;
            KFoldAccuracyMean = kFoldAccuracyMean;
            KFoldAccuracyStdDev = kFoldAccuracyStdDev;
            DPrime = dPrime;
        }

        public long GenuinePairs { get; }

        public long ImpostorPairs { get; }

        /// <summary>Genuine pairs scored -1 for a failure to acquire (system level only).</summary>
        public long FailedGenuinePairs { get; }

        public long FailedImpostorPairs { get; }

        /// <summary>One entry per FAR target, the loosest target first.</summary>
        public IReadOnlyList<ReportTarAtFar> TarAtFar { get; }

        public double? Eer { get; }

        public double? EerThreshold { get; }

        /// <summary>95% bootstrap interval of the EER, when computed.</summary>
        public double? EerIntervalLow { get; }

        public double? EerIntervalHigh { get; }

        /// <summary>The outcome at a fixed threshold the evaluator chose, with Clopper-Pearson intervals; null without one.</summary>
        public ReportThresholdOutcome AtThreshold { get; }

        public double? Auc { get; }

        public double? BestAccuracy { get; }

        public double? BestAccuracyThreshold { get; }

        public double? KFoldAccuracyMean { get; }

        public double? KFoldAccuracyStdDev { get; }

        /// <summary>Best (TAR + TRR) / 2 over thresholds.</summary>
        public double? BalancedAccuracy { get; }

        public double? BalancedAccuracyThreshold { get; }

        public double? KFoldBalancedAccuracyMean { get; }

        public double? KFoldBalancedAccuracyStdDev { get; }

        /// <summary>Impostor pairs outnumber genuine ones: the report leads with the balanced accuracy.</summary>
        public bool IsImbalanced => ImpostorPairs > GenuinePairs;

        public double? DPrime { get; }

        /// <summary>The entry for <paramref name="targetFar"/>, or null.</summary>
        public ReportTarAtFar Find(double targetFar) =>
            TarAtFar.FirstOrDefault(t => Math.Abs(t.TargetFar - targetFar) <= targetFar * 1e-9);
    }

    /// <summary>What one fixed threshold does, with Clopper-Pearson 95% intervals.</summary>
    public sealed class ReportThresholdOutcome
    {
        public ReportThresholdOutcome(double threshold, double? tar, double? tarLow, double? tarHigh, double? far, double? farLow, double? farHigh)
        {
            Threshold = threshold;
            Tar = tar;
            TarIntervalLow = tarLow;
            TarIntervalHigh = tarHigh;
            Far = far;
            FarIntervalLow = farLow;
            FarIntervalHigh = farHigh;
        }

        public double Threshold { get; }

        public double? Tar { get; }

        public double? TarIntervalLow { get; }

        public double? TarIntervalHigh { get; }

        public double? Far { get; }

        public double? FarIntervalLow { get; }

        public double? FarIntervalHigh { get; }
    }

    /// <summary>TAR at one FAR target, under the budget rule of metrics.md.</summary>
    public sealed class ReportTarAtFar
    {
        public ReportTarAtFar(
            double targetFar,
            bool supported,
            double? tar,
            double? threshold,
            double? achievedFar,
            long falseAcceptBudget,
            double? lowestSupportableFar,
            double? intervalLow,
            double? intervalHigh)
        {
            TargetFar = targetFar;
            Supported = supported;
            Tar = supported ? tar : null;
            Threshold = supported ? threshold : null;
            AchievedFar = supported ? achievedFar : null;
            FalseAcceptBudget = falseAcceptBudget;
            LowestSupportableFar = lowestSupportableFar;
            IntervalLow = supported ? intervalLow : null;
            IntervalHigh = supported ? intervalHigh : null;
        }

        public double TargetFar { get; }

        /// <summary>False when the data has too few impostors for this FAR (budget k = 0): "insufficient", never a number.</summary>
        public bool Supported { get; }

        public double? Tar { get; }

        public double? Threshold { get; }

        public double? AchievedFar { get; }

        public long FalseAcceptBudget { get; }

        /// <summary>1 / impostor pairs: the lowest FAR this data can support.</summary>
        public double? LowestSupportableFar { get; }

        /// <summary>Lower end of the 95% interval (bootstrap over identities), when computed.</summary>
        public double? IntervalLow { get; }

        public double? IntervalHigh { get; }
    }

    /// <summary>Genuine and impostor score counts per bin: bin i is [BinEdges[i], BinEdges[i+1]), the last bin closed.</summary>
    public sealed class ReportHistogram
    {
        public ReportHistogram(IEnumerable<double> binEdges, IEnumerable<long> genuine, IEnumerable<long> impostor)
        {
            BinEdges = (binEdges ?? Enumerable.Empty<double>()).ToArray();
            Genuine = (genuine ?? Enumerable.Empty<long>()).ToArray();
            Impostor = (impostor ?? Enumerable.Empty<long>()).ToArray();
            if (Genuine.Count != Impostor.Count || BinEdges.Count != Genuine.Count + 1)
            {
                throw new ArgumentException("A histogram needs one more bin edge than bins, and the same bins for genuine and impostor pairs.");
            }

            for (var i = 1; i < BinEdges.Count; i++)
            {
                if (!(BinEdges[i] > BinEdges[i - 1])) { throw new ArgumentException("Histogram bin edges must increase."); }
            }
        }

        public IReadOnlyList<double> BinEdges { get; }

        public int BinCount => Genuine.Count;

        public IReadOnlyList<long> Genuine { get; }

        public IReadOnlyList<long> Impostor { get; }

        /// <summary>Bins scores into <paramref name="bins"/> equal bins over [minimum, maximum] (the cosine range by default).</summary>
        public static ReportHistogram FromScores(IEnumerable<double> genuine, IEnumerable<double> impostor, int bins = 50, double minimum = -1, double maximum = 1)
        {
            var g = new long[bins];
            var i = new long[bins];
            void Add(long[] counts, double s)
            {
                if (double.IsNaN(s)) { return; }
                var b = (int)Math.Floor((s - minimum) / (maximum - minimum) * bins);
                counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
            }

            foreach (var s in genuine ?? Enumerable.Empty<double>()) { Add(g, s); }
            foreach (var s in impostor ?? Enumerable.Empty<double>()) { Add(i, s); }
            return new ReportHistogram(Enumerable.Range(0, bins + 1).Select(k => minimum + (maximum - minimum) * k / bins), g, i);
        }
    }

    /// <summary>A hard pair: a low-scoring genuine or a high-scoring impostor, where label errors and weaknesses show.</summary>
    public sealed class HardPair
    {
        public HardPair(bool isGenuine, string path1, string path2, string identity1, string identity2, double score, string imagePath1 = null, string imagePath2 = null)
        {
            IsGenuine = isGenuine;
            ImagePath1 = imagePath1;
            ImagePath2 = imagePath2;
            Path1 = path1;
            Path2 = path2;
            Identity1 = identity1;
            Identity2 = identity2;
            Score = score;
        }

        public bool IsGenuine { get; }

        /// <summary>The first image: dataset-relative where known, else as given.</summary>
        public string Path1 { get; }

        public string Path2 { get; }

        public string Identity1 { get; }

        public string Identity2 { get; }

        public double Score { get; }

        /// <summary>Where the first image is on this machine, for thumbnails. Never written to the JSON: it reveals the machine's layout.</summary>
        public string ImagePath1 { get; }

        public string ImagePath2 { get; }
    }

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
            IEnumerable<ReportMetricDifference> differences,
            double? operatingFar = null,
            string recommendation = null,
            string decidedBy = null,
            IEnumerable<ReportMetricDifference> views = null,
            ReportMetricDifference failureToAcquire = null,
            string disagreement = null)
        {
            OperatingFar = operatingFar;
            Recommendation = recommendation;
            DecidedBy = decidedBy;
            Views = (views ?? Enumerable.Empty<ReportMetricDifference>()).ToArray();
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
            Differences = (differences ?? Enumerable.Empty<ReportMetricDifference>()).ToArray();
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
        public IReadOnlyList<ReportMetricDifference> Views { get; }

        /// <summary>The FTA difference with its paired interval.</summary>
        public ReportMetricDifference FailureToAcquire { get; }

        /// <summary>Where a secondary view points the other way, which view decides and why.</summary>
        public string Disagreement { get; }

        /// <summary>Detailed differences on the pairs both models completed (secondary).</summary>
        public IReadOnlyList<ReportMetricDifference> Differences { get; }
    }

    /// <summary>One metric of a model comparison: the difference model's value minus the reference model's.</summary>
    public sealed class ReportMetricDifference
    {
        public ReportMetricDifference(string metric, double? targetFar, double? referenceValue, double? differenceValue, double? difference, double? intervalLow, double? intervalHigh, string betterModel, string verdict, string pairSet = null)
        {
            PairSet = pairSet;
            Metric = metric;
            TargetFar = targetFar;
            ReferenceValue = referenceValue;
            DifferenceValue = differenceValue;
            Difference = difference;
            IntervalLow = intervalLow;
            IntervalHigh = intervalHigh;
            BetterModel = betterModel;
            Verdict = verdict;
        }

        /// <summary>"TAR@FAR=1e-3", "EER" or "FTA".</summary>
        public string Metric { get; }

        /// <summary>"SystemLevel", "CommonCompleted" or "Completed" for a view; null otherwise.</summary>
        public string PairSet { get; }

        public double? TargetFar { get; }

        public double? ReferenceValue { get; }

        public double? DifferenceValue { get; }

        /// <summary>DifferenceValue - ReferenceValue.</summary>
        public double? Difference { get; }

        public double? IntervalLow { get; }

        public double? IntervalHigh { get; }

        public string BetterModel { get; }

        public string Verdict { get; }
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
            IEnumerable<ReportTarAtFar> tpirAtFpir,
            double? failureToAcquireRate = null)
        {
            Name = name;
            FailureToAcquireRate = failureToAcquireRate;
            MatedProbes = matedProbes;
            NonMatedProbes = nonMatedProbes;
            GalleryIdentities = galleryIdentities;
            Cmc = (cmc ?? Enumerable.Empty<double>()).ToArray();
            TpirAtFpir = (tpirAtFpir ?? Enumerable.Empty<ReportTarAtFar>()).OrderByDescending(t => t.TargetFar).ToArray();
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

        /// <summary>TPIR at FPIR targets (same budget rule as TAR@FAR; Tar holds TPIR, AchievedFar the FPIR).</summary>
        public IReadOnlyList<ReportTarAtFar> TpirAtFpir { get; }
    }
}
