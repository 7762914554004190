using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval
{
    /// <summary>
    /// Demographic (subgroup) differentials of one model, as NIST FRTE's demographic reports give them: per-group FNMR at
    /// one global threshold, the cross-group impostor FMR matrix at that threshold, per-group TAR@FAR at each group's own
    /// threshold, and the worst-to-best ratios. On completed pairs (both sides with a face); docs/subgroups.md.
    /// </summary>
    public sealed class SubgroupAnalysis
    {
        public SubgroupAnalysis(string model, string groupBy, double targetFar, TarAtFar global, SubgroupMetrics[] groups, SubgroupFmrCell[] fmrMatrix,
            long ungroupedImages, int bootstrapSamples, double confidenceLevel)
        {
            Model = model;
            GroupBy = groupBy;
            TargetFar = targetFar;
            Global = global;
            Groups = groups;
            FmrMatrix = fmrMatrix;
            UngroupedImages = ungroupedImages;
            BootstrapSamples = bootstrapSamples;
            ConfidenceLevel = confidenceLevel;
            Ratio(groups.Where(g => g.Fnmr.HasValue), g => g.Fnmr.Value, out var fnmr, out var worstFnmr, out var bestFnmr);
            FnmrRatio = fnmr;
            WorstFnmrGroup = worstFnmr;
            BestFnmrGroup = bestFnmr;
            Ratio(groups.Where(g => g.Fmr.HasValue), g => g.Fmr.Value, out var fmr, out var worstFmr, out var bestFmr);
            FmrRatio = fmr;
            WorstFmrGroup = worstFmr;
            BestFmrGroup = bestFmr;
        }

        public string Model { get; }

        /// <summary>The metadata column the groups come from.</summary>
        public string GroupBy { get; }

        /// <summary>The FAR the global threshold is chosen at, on all completed pairs.</summary>
        public double TargetFar { get; }

        /// <summary>TAR@FAR on all completed pairs at <see cref="TargetFar"/>: its threshold is the global threshold.</summary>
        public TarAtFar Global { get; }

        /// <summary>The global threshold (accept when score &gt;= it); null when the data cannot support <see cref="TargetFar"/>.</summary>
        public double? Threshold => Global.Threshold;

        public SubgroupMetrics[] Groups { get; }

        /// <summary>Impostor pairs by the groups of their two sides (each unordered pair of groups once, a group with itself included), at the global threshold.</summary>
        public SubgroupFmrCell[] FmrMatrix { get; }

        /// <summary>Images (or templates) the metadata gives no group: their pairs count in <see cref="Global"/> only.</summary>
        public long UngroupedImages { get; }

        public int BootstrapSamples { get; }

        public double ConfidenceLevel { get; }

        /// <summary>Highest per-group FNMR over the lowest (at the global threshold); null when the lowest is 0 or fewer than two groups have genuine pairs.</summary>
        public double? FnmrRatio { get; }

        public string WorstFnmrGroup { get; }

        public string BestFnmrGroup { get; }

        /// <summary>Highest within-group impostor FMR over the lowest (at the global threshold); null when the lowest is 0 or fewer than two groups have impostor pairs.</summary>
        public double? FmrRatio { get; }

        public string WorstFmrGroup { get; }

        public string BestFmrGroup { get; }

        /// <summary>The FMR matrix cell of two groups (in either order), or null.</summary>
        public SubgroupFmrCell Cell(string a, string b) =>
            FmrMatrix.FirstOrDefault(c => (c.GroupA == a && c.GroupB == b) || (c.GroupA == b && c.GroupB == a));

        private static void Ratio(IEnumerable<SubgroupMetrics> groups, Func<SubgroupMetrics, double> value, out double? ratio, out string worst, out string best)
        {
            var list = groups.ToList();
            ratio = null;
            worst = best = null;
            if (list.Count < 2) { return; }
            var high = list.OrderByDescending(value).First();
            var low = list.OrderBy(value).First();
            worst = high.Group;
            best = low.Group;
            if (value(low) > 0) { ratio = value(high) / value(low); }
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} by {1}: {2} group(s), FNMR ratio {3}, FMR ratio {4} at FAR {5}",
                Model, GroupBy, Groups.Length, FnmrRatio.HasValue ? FnmrRatio.Value.ToString("F2", CultureInfo.InvariantCulture) : "n/a",
                FmrRatio.HasValue ? FmrRatio.Value.ToString("F2", CultureInfo.InvariantCulture) : "n/a", TarAtFar.FormatFar(TargetFar));
    }

    /// <summary>One group's figures in a <see cref="SubgroupAnalysis"/>.</summary>
    public sealed class SubgroupMetrics
    {
        public SubgroupMetrics(string model, string group, int identities, int images, int failedImages, long genuinePairs, long falseNonMatches,
            double? fnmrLower, double? fnmrUpper, long impostorPairs, long falseMatches, TarAtFar ownThreshold)
        {
            Model = model;
            Group = group;
            Identities = identities;
            Images = images;
            FailedImages = failedImages;
            GenuinePairs = genuinePairs;
            FalseNonMatches = falseNonMatches;
            FnmrLower = fnmrLower;
            FnmrUpper = fnmrUpper;
            ImpostorPairs = impostorPairs;
            FalseMatches = falseMatches;
            OwnThreshold = ownThreshold;
        }

        public string Model { get; }

        public string Group { get; }

        public int Identities { get; }

        public int Images { get; }

        /// <summary>Images of the group with no face (failures to acquire); their pairs are not in the group's figures.</summary>
        public int FailedImages { get; }

        /// <summary>Completed genuine pairs whose two sides are both in the group.</summary>
        public long GenuinePairs { get; }

        /// <summary>Genuine pairs scoring below the global threshold.</summary>
        public long FalseNonMatches { get; }

        /// <summary>FNMR at the global threshold; null without genuine pairs.</summary>
        public double? Fnmr => GenuinePairs > 0 ? (double?)FalseNonMatches / GenuinePairs : null;

        /// <summary>Bootstrap (over the group's identities) percentile interval of <see cref="Fnmr"/>.</summary>
        public double? FnmrLower { get; }

        public double? FnmrUpper { get; }

        /// <summary>Completed impostor pairs whose two sides are both in the group.</summary>
        public long ImpostorPairs { get; }

        /// <summary>Those impostor pairs scoring at or above the global threshold.</summary>
        public long FalseMatches { get; }

        /// <summary>Within-group FMR at the global threshold; null without impostor pairs.</summary>
        public double? Fmr => ImpostorPairs > 0 ? (double?)FalseMatches / ImpostorPairs : null;

        /// <summary>TAR@FAR at the group's own threshold, chosen on its within-group impostor pairs (metrics.md's rule).</summary>
        public TarAtFar OwnThreshold { get; }

        /// <summary>TAR at the group's own threshold; null when its impostor pairs cannot support the FAR.</summary>
        public double? TarAtOwnThreshold => OwnThreshold?.Tar;

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0}: FNMR {1}, FMR {2}", Group,
                Fnmr.HasValue ? Fnmr.Value.ToString("F4", CultureInfo.InvariantCulture) : "n/a", Fmr.HasValue ? Fmr.Value.ToString("G4", CultureInfo.InvariantCulture) : "n/a");
    }

    /// <summary>Impostor pairs between two groups (or within one) at the global threshold.</summary>
    public sealed class SubgroupFmrCell
    {
        public SubgroupFmrCell(string groupA, string groupB, long impostorPairs, long falseMatches)
        {
            GroupA = groupA;
            GroupB = groupB;
            ImpostorPairs = impostorPairs;
            FalseMatches = falseMatches;
        }

        public string GroupA { get; }

        public string GroupB { get; }

        public long ImpostorPairs { get; }

        public long FalseMatches { get; }

        /// <summary>FalseMatches / ImpostorPairs; null without pairs.</summary>
        public double? Fmr => ImpostorPairs > 0 ? (double?)FalseMatches / ImpostorPairs : null;
    }
}
