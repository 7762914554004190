using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Subgroups
{
    /// <summary>
    /// Adds the subgroup analyses to measured verification results: for each model, its pair design again (no scoring),
    /// the global threshold from its completed pairs' TAR@FAR, and one <see cref="SubgroupAnalysis"/> per grouping column.
    /// </summary>
    public static class SubgroupStage
    {
        /// <summary>A problem when a grouping column is not in the metadata, else null.</summary>
        public static Problem CheckColumns(SubgroupMetadata metadata, IEnumerable<string> groupBy)
        {
            foreach (var column in groupBy)
            {
                if (metadata.ColumnIndex(column) >= 0) { continue; }
                return new Problem("UnknownGroupColumn", ProblemCategory.InvalidArgument,
                    new ArgumentException($"'{metadata.Source}' has no column '{column}'; its attribute columns are: {string.Join(", ", metadata.Columns)}."), column, true);
            }

            return null;
        }

        /// <summary>
        /// The FAR the subgroups are measured at: the operating FAR when one is set, else the smallest target the completed
        /// pairs support; null when none is supported.
        /// </summary>
        public static double? TargetFar(VerificationResult result, double? operatingFar)
        {
            var supported = result.Completed.TarAtFar.Where(t => t.IsSupported && t.Threshold.HasValue).ToList();
            if (operatingFar.HasValue) { return supported.Any(t => Same(t.TargetFar, operatingFar.Value)) ? operatingFar : null; }
            return supported.Count == 0 ? (double?)null : supported.Min(t => t.TargetFar);
        }

        /// <summary>
        /// One analysis per <paramref name="groupBy"/> column on each measured result of <paramref name="inputs"/> (the designs
        /// the engine measured), at the global threshold of the result's completed pairs.
        /// </summary>
        public static void Attach(VerificationOutcome outcome, VerificationInputSet inputs, VerificationOptions options, SubgroupMetadata metadata,
            IReadOnlyList<string> groupBy, CancellationToken cancellationToken)
        {
            if (outcome.Results.Count == 0 || groupBy == null || groupBy.Count == 0) { return; }
            foreach (var result in outcome.Results)
            {
                var input = inputs.Models.FirstOrDefault(m => m.Model == result.Model);
                if (input == null) { continue; }
                var design = input.Design;
                var far = TargetFar(result, options.OperatingFar);
                if (!far.HasValue)
                {
                    outcome.Warnings.Add(options.OperatingFar.HasValue
                        ? $"{result.Model}: its completed pairs cannot support FAR {TarAtFar.FormatFar(options.OperatingFar.Value)} (the operating FAR), so there is no subgroup analysis."
                        : $"{result.Model}: its completed pairs support none of the target FARs, so there is no subgroup analysis.");
                    continue;
                }

                var global = result.Completed.TarAtFar.First(t => Same(t.TargetFar, far.Value));
                var matrix = !input.ScoresGiven && input.Dimension > 0 ? EmbeddingMatrix.FromVectors(design.RowImage.Select(i => design.Images[i].Vector).ToList(), input.Dimension) : null;
                var analyses = new List<SubgroupAnalysis>();
                foreach (var column in groupBy)
                {
                    var request = new SubgroupRequest
                    {
                        Metadata = metadata, GroupBy = column, TargetFar = far.Value, BootstrapSamples = options.BootstrapSamples,
                        BootstrapSeed = options.BootstrapSeed, ConfidenceLevel = options.ConfidenceLevel, Workers = options.Workers,
                    };
                    var analysis = SubgroupCalculator.Analyse(result.Model, design, matrix, inputs.IdentityNames, global, request, cancellationToken);
                    if (analysis.Groups.Length == 0)
                    {
                        outcome.Warnings.Add($"{result.Model}: no image has a value in column '{column}' of '{metadata.Source}' (matched by {(metadata.ByIdentity ? "identity" : "path")}), so there are no groups.");
                    }
                    else if (analysis.UngroupedImages > 0)
                    {
                        outcome.Notes.Add($"{result.Model}: {analysis.UngroupedImages} image(s) have no '{column}' value; their pairs count in the global threshold only.");
                    }

                    analyses.Add(analysis);
                }

                result.Subgroups = analyses.ToArray();
            }
        }

        private static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(a, b);
    }
}
