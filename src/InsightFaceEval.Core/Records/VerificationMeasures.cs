using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Serialization;

namespace InsightFaceEval
{
    /// <summary>TAR at one target FAR (metrics.md: budget k = floor(f * N_impostor)).</summary>
    public sealed class TarAtFar
    {
        public TarAtFar(
            double targetFar,
            bool isSupported,
            long falseAcceptBudget,
            double lowestSupportableFar,
            double? tar,
            double? threshold,
            double? achievedFar,
            long? falseAccepts,
            long? trueAccepts,
            double? tarLower,
            double? tarUpper)
        {
            TargetFar = targetFar;
            IsSupported = isSupported;
            FalseAcceptBudget = falseAcceptBudget;
            LowestSupportableFar = lowestSupportableFar;
            Tar = tar;
            Threshold = threshold;
            AchievedFar = achievedFar;
            FalseAccepts = falseAccepts;
            TrueAccepts = trueAccepts;
            TarLower = tarLower;
            TarUpper = tarUpper;
        }

        public double TargetFar { get; }

        /// <summary>False when the budget is 0: the data cannot support this FAR ("insufficient").</summary>
        public bool IsSupported { get; }

        /// <summary>k = floor(TargetFar * impostor pairs): false accepts allowed.</summary>
        public long FalseAcceptBudget { get; }

        /// <summary>1 / impostor pairs: the lowest FAR these data can support.</summary>
        public double LowestSupportableFar { get; }

        /// <summary>TAR at <see cref="Threshold"/>; null when insufficient.</summary>
        public double? Tar { get; }

        /// <summary>The lowest threshold with at most k false accepts (accept when score &gt;= threshold).</summary>
        public double? Threshold { get; }

        /// <summary>FAR at the threshold; never above the target.</summary>
        public double? AchievedFar { get; }

        public long? FalseAccepts { get; }

        public long? TrueAccepts { get; }

        /// <summary>95% bootstrap interval of the TAR (identities resampled, threshold re-derived); null without one.</summary>
        public double? TarLower { get; }

        public double? TarUpper { get; }

        /// <summary>"1e-04" style label of the target.</summary>
        public string TargetLabel => FormatFar(TargetFar);

        public override string ToString() =>
            IsSupported
                ? string.Format(CultureInfo.InvariantCulture, "TAR {0:F4} @ FAR {1} (threshold {2:F4})", Tar, TargetLabel, Threshold)
                : string.Format(CultureInfo.InvariantCulture, "TAR @ FAR {0} insufficient (lowest supportable {1})", TargetLabel, FormatFar(LowestSupportableFar));

        internal static string FormatFar(double far) => far.ToString("0.#e+00", CultureInfo.InvariantCulture).Replace("e+", "e").Replace("e-0", "e-");
    }

    /// <summary>One exact ROC point: the rates at an actual threshold.</summary>
    public sealed class RocPoint
    {
        public RocPoint(double threshold, double far, double tar)
        {
            Threshold = threshold;
            Far = far;
            Tar = tar;
        }

        public double Threshold { get; }

        public double Far { get; }

        public double Tar { get; }

        /// <summary>1 - TAR, for DET plots.</summary>
        public double Frr => 1 - Tar;

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "FAR {0:G4} TAR {1:F4} @ {2:F4}", Far, Tar, Threshold);
    }

    /// <summary>Summary statistics of one class of scores; the statistics are null when there are no scores.</summary>
    public sealed class ScoreSummary
    {
        public ScoreSummary(long count, double? mean, double? standardDeviation, double? minimum, double? maximum)
        {
            Count = count;
            Mean = mean;
            StandardDeviation = standardDeviation;
            Minimum = minimum;
            Maximum = maximum;
        }

        public long Count { get; }

        public double? Mean { get; }

        /// <summary>Population standard deviation.</summary>
        public double? StandardDeviation { get; }

        public double? Minimum { get; }

        public double? Maximum { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "n={0:N0} mean={1:F4} sd={2:F4} [{3:F4}, {4:F4}]", Count, Mean, StandardDeviation, Minimum, Maximum);
    }

    /// <summary>Score counts per bin: bin i is [BinEdges[i], BinEdges[i+1]), the last bin includes 1.</summary>
    public sealed class ScoreHistogram
    {
        public ScoreHistogram(double[] binEdges, long[] genuine, long[] impostor)
        {
            BinEdges = binEdges ?? Array.Empty<double>();
            Genuine = genuine ?? Array.Empty<long>();
            Impostor = impostor ?? Array.Empty<long>();
        }

        public double[] BinEdges { get; }

        public long[] Genuine { get; }

        public long[] Impostor { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} bins", Genuine.Length);
    }

    /// <summary>What a fixed threshold does, with Clopper-Pearson 95% intervals (metrics.md, "Uncertainty").</summary>
    public sealed class ThresholdOutcome
    {
        public ThresholdOutcome(
            double threshold,
            long trueAccepts,
            long falseRejects,
            long falseAccepts,
            long trueRejects,
            double? tar,
            double? tarLower,
            double? tarUpper,
            double? far,
            double? farLower,
            double? farUpper)
        {
            Threshold = threshold;
            TrueAccepts = trueAccepts;
            FalseRejects = falseRejects;
            FalseAccepts = falseAccepts;
            TrueRejects = trueRejects;
            Tar = tar;
            TarLower = tarLower;
            TarUpper = tarUpper;
            Far = far;
            FarLower = farLower;
            FarUpper = farUpper;
        }

        public double Threshold { get; }

        public long TrueAccepts { get; }

        public long FalseRejects { get; }

        public long FalseAccepts { get; }

        public long TrueRejects { get; }

        public double? Tar { get; }

        public double? TarLower { get; }

        public double? TarUpper { get; }

        public double? Far { get; }

        public double? FarLower { get; }

        public double? FarUpper { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "TAR {0:F4} [{1:F4}, {2:F4}], FAR {3:G4} @ {4:F4}", Tar, TarLower, TarUpper, Far, Threshold);
    }

    /// <summary>One scored pair, as the report's "hardest errors" lists it.</summary>
    public sealed class ScoredPair
    {
        public ScoredPair(
            double similarity,
            bool isGenuine,
            string referencePath,
            string referenceRelativePath,
            string referenceIdentity,
            string differencePath,
            string differenceRelativePath,
            string differenceIdentity)
        {
            Similarity = similarity;
            IsGenuine = isGenuine;
            ReferencePath = referencePath;
            ReferenceRelativePath = referenceRelativePath;
            ReferenceIdentity = referenceIdentity;
            DifferencePath = differencePath;
            DifferenceRelativePath = differenceRelativePath;
            DifferenceIdentity = differenceIdentity;
        }

        public double Similarity { get; }

        public bool IsGenuine { get; }

        public string ReferencePath { get; }

        public string ReferenceRelativePath { get; }

        public string ReferenceIdentity { get; }

        public string DifferencePath { get; }

        public string DifferenceRelativePath { get; }

        public string DifferenceIdentity { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0:F4} {1} vs {2} ({3})", Similarity, ReferenceRelativePath, DifferenceRelativePath, IsGenuine ? "genuine" : "impostor");
    }
}
