using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>Stage (c) for one model: its result and the bootstrap replicates a paired model comparison needs.</summary>
    public sealed class ModelMeasurement
    {
        internal ModelMeasurement(VerificationInput input, VerificationResult result, VerificationMetrics common,
            BootstrapReplicates completed, BootstrapReplicates system, BootstrapReplicates commonReplicates)
        {
            Input = input;
            Result = result;
            Common = common;
            CompletedReplicates = completed;
            SystemReplicates = system;
            CommonReplicates = commonReplicates;
        }

        public VerificationInput Input { get; }

        public VerificationResult Result { get; }

        /// <summary>The metrics on the pairs every model completed; null with one model, or when they are not measurable.</summary>
        public VerificationMetrics Common { get; }

        public BootstrapReplicates CompletedReplicates { get; }

        public BootstrapReplicates SystemReplicates { get; }

        public BootstrapReplicates CommonReplicates { get; }

        /// <summary>What <see cref="ModelVerdict.Compare"/> needs of this model.</summary>
        public ModelEvidence Evidence() => new ModelEvidence(Input.Model, Result, SystemReplicates, CompletedReplicates, CommonReplicates,
            Input.Design.Identity, Input.Design.Images.Select(e => e.Status != EmbeddingStatus.Success).ToArray());
    }

    /// <summary>
    /// Stage (c) of a 1:1 measurement: from one model's scores, the three pair sets' metrics (completed, system level,
    /// common), their bootstrap intervals (all drawing the same identities replicate by replicate) and the hardest
    /// pairs. When an exact order statistic falls in a bucket nobody counted key by key, it asks for a refinement
    /// pass (through the caller's <c>refine</c>, which may run it over every shard) and computes again.
    /// </summary>
    public sealed class VerificationResults
    {
        private readonly VerificationOptions options;
        private readonly MeasurementProgress progress;
        private readonly ICollection<string> warnings;
        private readonly CancellationToken cancellationToken;

        /// <param name="warnings">What a user must know about the numbers (missing intervals, no common metrics).</param>
        public VerificationResults(VerificationOptions options, MeasurementProgress progress, ICollection<string> warnings, CancellationToken cancellationToken)
        {
            this.options = options ?? new VerificationOptions();
            this.progress = progress ?? new MeasurementProgress();
            this.warnings = warnings ?? new List<string>();
            this.cancellationToken = cancellationToken;
        }

        /// <param name="refine">Runs one refinement pass (counts every key of <see cref="ImpostorAccumulator.Needs"/>).</param>
        /// <param name="comparedModels">Every model measured together (null or one: no common pair set).</param>
        /// <param name="identityNames">The name of each identity index of the design.</param>
        /// <param name="label">The model as progress names it.</param>
        /// <exception cref="UnmeasurableException">The data cannot give the metrics (no genuine or no impostor pairs).</exception>
        public ModelMeasurement Compute(VerificationScores scores, Action refine, string[] comparedModels, string[] identityNames, string label)
        {
            var input = scores.Input;
            var design = input.Design;
            var acc = scores.Impostors;
            bool several = comparedModels != null && comparedModels.Length > 1;
            int identityCount = identityNames.Length;
            var records = scores.Genuine;
            var completedGenuine = new GenuineView(records.Where(r => !r.Failed), options.Folds);
            var systemGenuine = new GenuineView(records, options.Folds);
            var commonGenuine = several ? new GenuineView(records.Where(r => r.Common), options.Folds) : null;
            var failedImpostors = scores.FailedImpostorsPerFold;

            var completedImpostor = acc.View(true, null);
            var systemImpostor = acc.View(true, failedImpostors);
            var commonImpostor = several ? acc.View(false, null) : null;

            int Identities(Func<int, bool> included) => Enumerable.Range(0, design.Images.Count).Where(included).Select(i => design.Identity[i]).Distinct().Count();

            // One bootstrap per pair set, all drawing the same identities replicate by replicate (same seed).
            BootstrapReplicates completedReplicates = null, systemReplicates = null, commonReplicates = null;
            if (options.BootstrapSamples > 0)
            {
                progress.Activity = $"{label}: bootstrap ({options.BootstrapSamples} replicates)";
                completedReplicates = Bootstrap(input, PairSet.Completed, completedGenuine, completedImpostor, completedImpostor.Count, identityCount);
                progress.Activity = $"{label}: bootstrap at system level ({options.BootstrapSamples} replicates)";
                systemReplicates = Bootstrap(input, PairSet.SystemLevel, systemGenuine, completedImpostor, systemImpostor.Count, identityCount);
                if (several && commonGenuine.Count > 0 && commonImpostor.Count > 0)
                {
                    progress.Activity = $"{label}: bootstrap on the common pairs ({options.BootstrapSamples} replicates)";
                    commonReplicates = Bootstrap(input, PairSet.CommonCompleted, commonGenuine, commonImpostor, commonImpostor.Count, identityCount);
                }
            }

            var completedIntervals = completedReplicates?.Intervals(options.ConfidenceLevel);
            var systemIntervals = systemReplicates?.Intervals(options.ConfidenceLevel);
            var commonIntervals = commonReplicates?.Intervals(options.ConfidenceLevel);
            VerificationMetrics completed = null, system = null, common = null;
            long failedGenuine = records.Count(r => r.Failed);
            for (int attempt = 0; ; attempt++)
            {
                progress.Activity = $"{label}: computing metrics";
                completed = VerificationCalculator.Compute(PairSet.Completed, completedGenuine, completedImpostor, Identities(i => design.Completed[i]), 0, 0, options, completedIntervals, acc.Needs);
                system = VerificationCalculator.Compute(PairSet.SystemLevel, systemGenuine, systemImpostor, Identities(i => true), failedGenuine, failedImpostors.Sum(), options, systemIntervals, acc.Needs);
                if (several)
                {
                    try
                    {
                        common = VerificationCalculator.Compute(PairSet.CommonCompleted, commonGenuine, commonImpostor, Identities(i => design.Common[i]), 0, 0, options, commonIntervals, acc.Needs);
                    }
                    catch (UnmeasurableException ex)
                    {
                        common = null;
                        if (attempt == 0) { warnings.Add($"{input.Model}: no metrics on the pairs every model completed: {ex.Message}"); }
                    }
                }

                if (acc.Needs.Count == 0) { break; }
                if (attempt >= 3) { throw new InvalidOperationException("The exact order statistics did not resolve after three refinement passes."); }
                cancellationToken.ThrowIfCancellationRequested();
                refine();
            }

            var hardestGenuine = completedGenuine.Records.Take(options.HardestPairs)
                .Select(r => Scored(design, identityNames, r.ImageA, r.ImageB, ScoreKeys.Value(r.Key), true)).ToArray();
            var hardestImpostor = new List<ScoredPair>();
            for (int i = 0; i < completedImpostor.TailKeys.Length && hardestImpostor.Count < options.HardestPairs; i++)
            {
                if (completedImpostor.TailOrdinals[i] < 0) { break; }
                design.PairAt(completedImpostor.TailOrdinals[i], out var a, out var b);
                hardestImpostor.Add(Scored(design, identityNames, a, b, ScoreKeys.Value(completedImpostor.TailKeys[i]), false));
            }

            var result = new VerificationResult(
                input.Model, input.Protocol, input.Dimension,
                design.Images.Count,
                design.Images.Count(e => e.Status != EmbeddingStatus.Success),
                Identities(i => true),
                completed, system, common,
                comparedModels, options.FarTargets, options.Threshold, options.Folds, options.BootstrapSamples, options.BootstrapSeed,
                hardestGenuine, hardestImpostor.ToArray(), MetricDefinitions.Verification, ModuleInfo.Version, DateTimeOffset.UtcNow);
            return new ModelMeasurement(input, result, common, completedReplicates, systemReplicates, commonReplicates);
        }

        /// <summary>
        /// The bootstrap of one pair set; its notes become warnings (named after the pair set unless it is the
        /// completed one). <paramref name="impostor"/> never holds the failures at -1: at system level the
        /// engine weighs those from the design.
        /// </summary>
        private BootstrapReplicates Bootstrap(VerificationInput input, PairSet set, GenuineView genuine, ImpostorView impostor, long impostorPairs, int identityCount)
        {
            var engine = new BootstrapEngine(input.Design, set, genuine, impostor, identityCount);
            var supported = options.FarTargets.Select(f => Statistics.Budget(f, impostorPairs) > 0).ToArray();
            var replicates = engine.Run(options.BootstrapSamples, options.BootstrapSeed, options.FarTargets, options.Workers, cancellationToken, supported);
            string where = set == PairSet.SystemLevel ? " (system level)" : set == PairSet.CommonCompleted ? " (pairs every model completed)" : string.Empty;
            foreach (var note in replicates.Notes) { warnings.Add($"{input.Model}{where}: {note}"); }
            return replicates;
        }

        /// <summary>A pair as the hardest-errors lists show it, with the identities the metrics used (an unknown/ probe is its own).</summary>
        private static ScoredPair Scored(PairDesign design, string[] identityNames, int a, int b, double score, bool genuine)
        {
            var x = design.Images[a];
            var y = design.Images[b];
            return new ScoredPair(score, genuine, x.Path, x.RelativePath, identityNames[design.Identity[a]], y.Path, y.RelativePath, identityNames[design.Identity[b]]);
        }
    }
}
