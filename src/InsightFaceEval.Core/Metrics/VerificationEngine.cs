using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics.Sharding;

namespace InsightFaceEval.Metrics
{
    /// <summary>What one Measure-FaceVerification call produced.</summary>
    public sealed class VerificationOutcome
    {
        public List<VerificationResult> Results { get; } = new List<VerificationResult>();

        public List<ModelComparison> Comparisons { get; } = new List<ModelComparison>();

        /// <summary>Per-item and per-model problems, each for the cmdlet to write as an error record.</summary>
        public List<ModelProblem> Problems { get; } = new List<ModelProblem>();

        /// <summary>How the measurement went (verbose): passes, their timings, ignored images.</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <summary>What a user must know about the numbers (warnings): missing intervals, a missing common pair set, models not compared.</summary>
        public List<string> Warnings { get; } = new List<string>();
    }

    /// <summary>
    /// Measures one or more models in three stages: (a) checked inputs, each model's pairs laid out as a design
    /// (<see cref="VerificationInputs"/>, <see cref="ComparisonInputs"/>); (b) scoring, genuine pairs exactly and impostor
    /// pairs through the streaming accumulator (<see cref="VerificationScorer"/>); (c) the three pair sets' metrics, the
    /// bootstrap intervals and refinement passes (<see cref="VerificationResults"/>); then the paired model comparisons.
    /// The engine keeps only its settings, so one engine serves any number of calls. Runs on worker threads; reports
    /// only through <see cref="MeasurementProgress"/> and the returned outcome.
    /// </summary>
    public sealed class VerificationEngine
    {
        private readonly VerificationOptions options;
        private readonly MeasurementProgress progress;
        private readonly CancellationToken cancellationToken;

        public VerificationEngine(VerificationOptions options, MeasurementProgress progress, CancellationToken cancellationToken)
        {
            // A copy: the caller's options stay as given.
            this.options = (options ?? new VerificationOptions()).Copy();
            var operating = this.options.OperatingFar;
            if (operating.HasValue && !this.options.FarTargets.Any(f => Math.Abs(f - operating.Value) <= 1e-12 * f))
            {
                // The operating point is measured like any other target.
                this.options.FarTargets = this.options.FarTargets.Concat(new[] { operating.Value }).OrderByDescending(f => f).ToArray();
            }

            this.progress = progress ?? new MeasurementProgress();
            this.cancellationToken = cancellationToken;
        }

        /// <summary>The settings the engine measures with (the operating FAR among the targets).</summary>
        public VerificationOptions Options => options;

        /// <summary>Measures embeddings grouped by model, pairing them by <paramref name="protocol"/>.</summary>
        public VerificationOutcome MeasureEmbeddings(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList)
        {
            var outcome = new VerificationOutcome();
            var inputs = VerificationInputs.FromEmbeddings(models, protocol, pairList, options, outcome.Problems, outcome.Notes, cancellationToken);
            Measure(inputs, outcome);
            return outcome;
        }

        /// <summary>
        /// The pair design of each usable model (for Compare-FaceEmbedding); problems go to <paramref name="issues"/>.
        /// <paramref name="identityNames"/> names each identity index of the designs.
        /// </summary>
        public List<KeyValuePair<string, PairDesign>> Designs(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList,
            out VerificationOutcome issues, out string[] identityNames)
        {
            issues = new VerificationOutcome();
            var inputs = VerificationInputs.FromEmbeddings(models, protocol, pairList, options, issues.Problems, issues.Notes, cancellationToken);
            identityNames = inputs.IdentityNames;
            return inputs.Models.Select(r => new KeyValuePair<string, PairDesign>(r.Model, r.Design)).ToList();
        }

        /// <summary>Measures FaceComparison objects grouped by model (their scores are used as given).</summary>
        public VerificationOutcome MeasureComparisons(IReadOnlyList<KeyValuePair<string, List<FaceComparison>>> models)
        {
            var outcome = new VerificationOutcome();
            var inputs = ComparisonInputs.FromComparisons(models, options, outcome.Problems, outcome.Warnings);
            Measure(inputs, outcome);
            return outcome;
        }

        /// <summary>
        /// Scores shard <paramref name="shard"/> of every model's pair space (stage b on that shard only) and returns its
        /// state; there are no results: the merge of all N states measures (<see cref="MeasureStates"/>).
        /// </summary>
        public VerificationOutcome MeasureShard(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList,
            ShardSpec shard, out ShardState state)
        {
            var outcome = new VerificationOutcome();
            var inputs = VerificationInputs.FromEmbeddings(models, protocol, pairList, options, outcome.Problems, outcome.Notes, cancellationToken);
            var settings = ShardSettings.From(options);
            state = new ShardState
            {
                Index = shard.Index,
                Count = shard.Count,
                ModuleVersion = ModuleInfo.Version,
                Protocol = protocol,
                IdentityNames = inputs.IdentityNames,
                Settings = settings,
                SettingsFingerprint = ShardCapture.SettingsFingerprint(settings),
                DataFingerprint = ShardCapture.DataFingerprint(protocol, inputs.IdentityNames, inputs.Models.Select(r => new KeyValuePair<string, PairDesign>(r.Model, r.Design)),
                    m => inputs.Models.First(r => r.Model == m).Dimension),
            };
            var scorer = new VerificationScorer(options, progress, outcome.Notes, cancellationToken);
            for (int m = 0; m < inputs.Models.Count; m++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var input = inputs.Models[m];
                string label = inputs.Models.Count > 1 ? $"{input.Model} ({m + 1} of {inputs.Models.Count}), shard {shard}" : $"{input.Model}, shard {shard}";
                state.Models.Add(scorer.ScoreShard(input, label, shard));
            }

            return outcome;
        }

        /// <summary>
        /// Merges the states of every shard of one run (checked and ordered by <see cref="ShardMerge"/>) into the results
        /// one run over every pair gives, measured with the settings the shards were run with.
        /// </summary>
        public static VerificationOutcome MeasureStates(IReadOnlyList<ShardState> states, int workers, MeasurementProgress progress, CancellationToken cancellationToken)
        {
            var engine = new VerificationEngine(states[0].Settings.ToOptions(workers), progress, cancellationToken);
            var outcome = new VerificationOutcome();
            var inputs = new List<VerificationInput>();
            var parts = new Dictionary<string, List<ModelShard>>(StringComparer.Ordinal);
            for (int m = 0; m < states[0].Models.Count; m++)
            {
                var first = states[0].Models[m];
                var design = ShardCapture.Rebuild(first.Design, first.Model, engine.options.Folds);
                inputs.Add(new VerificationInput(first.Model, first.ProtocolLabel, first.Dimension, design, false));
                parts[first.Model] = states.Select(s => s.Models[m]).ToList();
            }

            var scorer = new VerificationScorer(engine.options, engine.progress, outcome.Notes, cancellationToken);
            engine.Measure(new VerificationInputSet(inputs, states[0].IdentityNames), outcome,
                (input, label) => scorer.FromShards(input, label, parts[input.Model]),
                (scores, label) => throw new UnmeasurableException(
                    $"the merged shard states do not count {scores.Impostors.Needs.Count} score bucket(s) key by key (scores from {Scoring.ScoreKeys.Value(Scoring.ScoreKeys.BucketStart(scores.Impostors.Needs.Min())):G6} to {Scoring.ScoreKeys.Value(Scoring.ScoreKeys.BucketStart(scores.Impostors.Needs.Max()) + 0xFFFF):G6}), which an order statistic falls in; one run over every pair would count them in a second pass, a shard cannot. Measure these data in one run, or with fewer FAR targets.",
                    "ShardStateUnresolved"));
            return outcome;
        }

        /// <summary>Stages (b) and (c) for every model of <paramref name="inputs"/>, then the paired comparisons; results go to <paramref name="outcome"/>.</summary>
        public void Measure(VerificationInputSet inputs, VerificationOutcome outcome)
        {
            var scorer = new VerificationScorer(options, progress, outcome.Notes, cancellationToken);
            Measure(inputs, outcome, scorer.Score, scorer.Refine);
        }

        /// <summary>Stage (b) by <paramref name="score"/> (all pairs, or merged shards), with <paramref name="refine"/> for a pass the results ask for.</summary>
        private void Measure(VerificationInputSet inputs, VerificationOutcome outcome, Func<VerificationInput, string, VerificationScores> score, Action<VerificationScores, string> refine)
        {
            var runs = inputs.Models;
            var names = runs.Select(r => r.Model).ToArray();
            var results = new VerificationResults(options, progress, outcome.Warnings, cancellationToken);
            var measured = new List<ModelMeasurement>();
            for (int m = 0; m < runs.Count; m++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var input = runs[m];
                string label = runs.Count > 1 ? $"{input.Model} ({m + 1} of {runs.Count})" : input.Model;
                try
                {
                    var scores = score(input, label);
                    var measurement = results.Compute(scores, () => refine(scores, label), names, inputs.IdentityNames, label);
                    outcome.Results.Add(measurement.Result);
                    measured.Add(measurement);
                }
                catch (UnmeasurableException ex)
                {
                    outcome.Problems.Add(ModelProblem.Unmeasurable(input.Model, ex, Diagnosis(input, ex.Problem, inputs.IdentityNames)));
                }
            }

            Compare(measured, outcome);
        }

        /// <summary>Every pair of measured models, compared paired, and the overall recommendation on each result.</summary>
        private void Compare(List<ModelMeasurement> measured, VerificationOutcome outcome)
        {
            if (measured.Count < 2) { return; }
            var evidence = measured.Select(r => r.Evidence()).ToList();
            var operatingFar = ModelVerdict.OperatingFar(measured.Select(r => r.Result).ToList(), options);
            if (options.OperatingFar.HasValue && measured.Any(r => !r.Result.SystemLevel.TarAtFar.Any(t => t.IsSupported && Math.Abs(t.TargetFar - options.OperatingFar.Value) <= 1e-12 * t.TargetFar)))
            {
                outcome.Warnings.Add($"The operating FAR asked for, {TarAtFar.FormatFar(options.OperatingFar.Value)}, is not supported by every model's system-level pairs, so the system-level EER decides instead.");
            }

            for (int i = 0; i < measured.Count; i++)
            {
                for (int j = i + 1; j < measured.Count; j++)
                {
                    if (measured[i].Common == null || measured[j].Common == null)
                    {
                        outcome.Warnings.Add($"{measured[i].Input.Model} and {measured[j].Input.Model} share no measurable pairs that both completed, so only their system-level figures are compared.");
                    }

                    outcome.Comparisons.Add(ModelVerdict.Compare(evidence[i], evidence[j], operatingFar, options));
                }
            }

            var overall = ModelVerdict.Overall(measured.Select(r => r.Input.Model).ToList(), outcome.Comparisons, out var recommended);
            foreach (var run in measured)
            {
                run.Result.Recommendation = overall;
                run.Result.IsRecommended = run.Input.Model == recommended;
                run.Result.OperatingFar = outcome.Comparisons.Select(c => c.OperatingFar).FirstOrDefault(f => f.HasValue);
            }
        }

        /// <summary>With no impostor pairs because every image has one identity: where it came from and how to give identities.</summary>
        private static string Diagnosis(VerificationInput input, string problem, string[] identityNames)
        {
            if (problem != "NoImpostorPairs" || input.Protocol == nameof(PairProtocol.PairList)) { return string.Empty; }
            var why = IdentityCheck.SingleIdentity(input.Design.Images, input.Design.Identity.Select(i => identityNames[i]).ToList());
            return why == null ? string.Empty : " " + why;
        }
    }
}
