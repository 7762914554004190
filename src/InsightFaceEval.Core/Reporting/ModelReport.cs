using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    // One model's part of the report (see ReportModel.cs for which types are the output records themselves).

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
            IEnumerable<TarAtFar> tarAtFar,
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
            TarAtFar = (tarAtFar ?? Enumerable.Empty<TarAtFar>()).OrderByDescending(t => t.TargetFar).ToArray();
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
        public IReadOnlyList<TarAtFar> TarAtFar { get; }

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
        public TarAtFar Find(double targetFar) =>
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
}
