using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Metrics.Sharding;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Measure-FaceVerification: 1:1 verification metrics per model (metrics.md), from FaceComparison objects or
    /// from embeddings paired by a protocol (scored and streamed in Core, exact at any scale); with several models,
    /// also a paired ModelComparison per pair of models.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "FaceVerification", DefaultParameterSetName = ComparisonSet)]
    [OutputType(typeof(VerificationResult), typeof(ModelComparison), typeof(System.IO.FileInfo))]
    public sealed class MeasureFaceVerificationCommand : PSCmdlet, IDisposable
    {
        private const string ComparisonSet = "Comparison";
        private const string ProtocolSet = "Protocol";
        private const string PairListSet = "PairList";
        private const string FromStateSet = "FromState";
        private const string ErrorPrefix = "MeasureFaceVerification";
        private const int ActivityId = 0x4D46;
        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private readonly List<FaceComparison> comparisons = new List<FaceComparison>();
        private readonly List<FaceEmbedding> embeddings = new List<FaceEmbedding>();
        private readonly List<string> statePaths = new List<string>();
        private ShardSpec shard;
        private List<PairListEntry> pairList;
        private WildcardPattern[] modelPatterns;
        private int received;

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ComparisonSet)]
        [ValidateNotNull]
        public FaceComparison[] Comparison { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ProtocolSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PairListSet)]
        [ValidateNotNull]
        public FaceEmbedding[] Embedding { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ProtocolSet)]
        [ValidateSet("AllPairs", "GalleryProbe")]
        public string Protocol { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string PairList { get; set; }

        /// <summary>Score only shard k of N of the pair space ("k/N") and write its state to -StatePath.</summary>
        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string Shard { get; set; }

        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string StatePath { get; set; }

        /// <summary>The states of every shard of one run: merged into the results of one run over every pair.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FromStateSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [Alias("FullName")]
        public string[] FromState { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public double[] FarTarget { get; set; } = VerificationOptions.DefaultFarTargets;

        [Parameter]
        [ValidateRange(-1.0, 1.0)]
        public double Threshold { get; set; }

        [Parameter]
        public double OperatingFar { get; set; }

        [Parameter]
        [ValidateRange(0, 1000000)]
        public int BootstrapSamples { get; set; } = 1000;

        [Parameter]
        public int Seed { get; set; } = 1;

        [Parameter]
        [ValidateRange(2, 100)]
        public int Folds { get; set; } = 10;

        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Model { get; set; }

        [Parameter]
        [ValidateRange(0, 1000)]
        public int HardestPairCount { get; set; } = 10;

        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        protected override void BeginProcessing()
        {
            foreach (var f in FarTarget)
            {
                if (!(f > 0 && f < 1))
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentOutOfRangeException(nameof(FarTarget), f, $"A target FAR must lie strictly between 0 and 1; {f} does not."),
                        ErrorPrefix + "InvalidFarTarget", ErrorCategory.InvalidArgument, f));
                }
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(OperatingFar)) && !(OperatingFar > 0 && OperatingFar < 1))
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentOutOfRangeException(nameof(OperatingFar), OperatingFar, $"The operating FAR must lie strictly between 0 and 1; {OperatingFar} does not."),
                    ErrorPrefix + "InvalidOperatingFar", ErrorCategory.InvalidArgument, OperatingFar));
            }

            modelPatterns = Model?.Select(m => new WildcardPattern(m, WildcardOptions.IgnoreCase)).ToArray();
            BeginSharding();
            if (ParameterSetName != PairListSet) { return; }
            var path = PathResolver.ResolveFiles(this, new[] { PairList }, true, ErrorPrefix).FirstOrDefault();
            if (path == null) { ThrowTerminatingError(PathResolver.FileNotFound(GetUnresolvedProviderPathFromPSPath(PairList), ErrorPrefix)); }
            try
            {
                pairList = PairListReader.Read(path);
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidPairList", ErrorCategory.InvalidData, path));
            }
        }

        private void BeginSharding()
        {
            if (ParameterSetName == FromStateSet)
            {
                // The merge measures with the settings the shards were run with.
                var ignored = new[] { nameof(FarTarget), nameof(Threshold), nameof(OperatingFar), nameof(BootstrapSamples), nameof(Seed), nameof(Folds), nameof(Model), nameof(HardestPairCount) }
                    .Where(p => MyInvocation.BoundParameters.ContainsKey(p)).ToList();
                if (ignored.Count > 0)
                {
                    WriteWarning($"-{string.Join(", -", ignored)} {(ignored.Count == 1 ? "is" : "are")} ignored with -FromState: the merge measures with the settings the shards were run with.");
                }

                return;
            }

            bool hasShard = MyInvocation.BoundParameters.ContainsKey(nameof(Shard)), hasState = MyInvocation.BoundParameters.ContainsKey(nameof(StatePath));
            if (hasShard != hasState)
            {
                var missing = hasShard ? nameof(StatePath) : nameof(Shard);
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-{(hasShard ? nameof(Shard) : nameof(StatePath))} needs -{missing}: a shard run writes its state to a file, and a state file comes from a shard run.", missing),
                    ErrorPrefix + "ShardWithoutState", ErrorCategory.InvalidArgument, hasShard ? Shard : StatePath));
            }

            if (!hasShard) { return; }
            shard = ShardSpec.Parse(Shard, out var error);
            if (shard == null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException(error, nameof(Shard)), ErrorPrefix + "InvalidShard", ErrorCategory.InvalidArgument, Shard));
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == FromStateSet)
            {
                statePaths.AddRange(PathResolver.ResolveInputFiles(this, FromState, !MyInvocation.ExpectingInput, ErrorPrefix));
                return;
            }

            if (ParameterSetName == ComparisonSet)
            {
                received += Comparison.Count(c => c != null);
                comparisons.AddRange(Comparison.Where(c => c != null && Wanted(c.Model)));
            }
            else
            {
                received += Embedding.Count(e => e != null);
                embeddings.AddRange(Embedding.Where(e => e != null && Wanted(e.Model)));
            }
        }

        // Nothing to measure prints nothing, which reads as success: say why instead.
        private void WarnNothingToMeasure()
        {
            var what = ParameterSetName == ComparisonSet ? "comparisons" : "embeddings";
            WriteWarning(received == 0
                ? "Measure-FaceVerification received no embeddings or comparisons, so there is nothing to measure. Check the command that feeds it (an empty store, or a -Model it does not hold)."
                : $"None of the {received} {what} Measure-FaceVerification received is of a model -Model selects ({string.Join(", ", Model.Select(m => "'" + m + "'"))}), so there is nothing to measure.");
        }

        private bool Wanted(string model) => modelPatterns == null || modelPatterns.Any(p => p.IsMatch(model ?? string.Empty));

        protected override void EndProcessing()
        {
            if (ParameterSetName == FromStateSet)
            {
                MergeStates();
                return;
            }

            var options = new VerificationOptions
            {
                FarTargets = FarTarget,
                Threshold = MyInvocation.BoundParameters.ContainsKey(nameof(Threshold)) ? Threshold : (double?)null,
                OperatingFar = MyInvocation.BoundParameters.ContainsKey(nameof(OperatingFar)) ? OperatingFar : (double?)null,
                BootstrapSamples = BootstrapSamples,
                BootstrapSeed = Seed,
                Folds = Folds,
                HardestPairs = HardestPairCount,
                Workers = ThrottleLimit,
            };
            var progress = new MeasurementProgress();
            var engine = new VerificationEngine(options, progress, cancellation.Token);
            VerificationOutcome outcome;
            if (ParameterSetName == ComparisonSet)
            {
                if (comparisons.Count == 0) { WarnNothingToMeasure(); return; }
                var groups = comparisons.GroupBy(c => c.Model, StringComparer.Ordinal).Select(g => new KeyValuePair<string, List<FaceComparison>>(g.Key, g.ToList())).ToList();
                outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceVerification", ErrorPrefix, progress, () => engine.MeasureComparisons(groups), cancellation.Token);
            }
            else
            {
                if (embeddings.Count == 0) { WarnNothingToMeasure(); return; }
                var groups = embeddings.GroupBy(e => e.Model, StringComparer.Ordinal).Select(g => new KeyValuePair<string, List<FaceEmbedding>>(g.Key, g.ToList())).ToList();
                var protocol = ParameterSetName == PairListSet ? PairProtocol.PairList : (PairProtocol)Enum.Parse(typeof(PairProtocol), Protocol);
                if (shard != null)
                {
                    RunShard(engine, progress, groups, protocol);
                    return;
                }

                outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceVerification", ErrorPrefix, progress, () => engine.MeasureEmbeddings(groups, protocol, pairList), cancellation.Token);
            }

            WriteOutcome(outcome);
        }

        private void RunShard(VerificationEngine engine, MeasurementProgress progress, List<KeyValuePair<string, List<FaceEmbedding>>> groups, PairProtocol protocol)
        {
            string path;
            try
            {
                path = PathResolver.ResolveOutputPath(this, StatePath);
            }
            catch (Exception ex) when (ex is PSArgumentException || ex is ItemNotFoundException || ex is DriveNotFoundException || ex is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidStatePath", ErrorCategory.InvalidArgument, StatePath));
                return;
            }

            ShardState state = null;
            var outcome = BackgroundWork.Run(this, ActivityId, $"Measure-FaceVerification (shard {shard})", ErrorPrefix, progress, () => engine.MeasureShard(groups, protocol, pairList, shard, out state), cancellation.Token);
            foreach (var problem in outcome.Problems) { ProblemRecords.Report(this, problem.Problem, ErrorPrefix); }
            foreach (var warning in outcome.Warnings) { WriteWarning(warning); }
            foreach (var note in outcome.Notes) { WriteVerbose(note); }
            if (state.Models.Count == 0) { return; }
            try
            {
                ShardStateFile.Write(state, path);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "StateNotWritten", ErrorCategory.WriteError, path));
            }

            WriteVerbose($"Shard {shard}: {state.Models.Sum(m => m.ScoredPairs):N0} impostor pairs scored; state written to '{path}'.");
            WriteObject(new System.IO.FileInfo(path));
        }

        private void MergeStates()
        {
            var states = ShardMerge.Load(statePaths, out var problems);
            if (states == null)
            {
                for (int i = 0; i < problems.Count - 1; i++) { WriteError(ProblemRecords.ToErrorRecord(problems[i], ErrorPrefix)); }
                ProblemRecords.Report(this, problems[problems.Count - 1], ErrorPrefix);
                return;
            }

            var progress = new MeasurementProgress();
            var outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceVerification (merging shards)", ErrorPrefix, progress,
                () => VerificationEngine.MeasureStates(states, ThrottleLimit, progress, cancellation.Token), cancellation.Token);
            WriteOutcome(outcome);
        }

        private void WriteOutcome(VerificationOutcome outcome)
        {
            foreach (var problem in outcome.Problems) { ProblemRecords.Report(this, problem.Problem, ErrorPrefix); }
            foreach (var warning in outcome.Warnings) { WriteWarning(warning); }
            foreach (var note in outcome.Notes) { WriteVerbose(note); }

            // With a failure to acquire anywhere, the default table shows the system-level figures beside the completed-only ones.
            bool failures = outcome.Results.Any(r => r.FailedImageCount > 0);
            foreach (var result in outcome.Results)
            {
                var item = PSObject.AsPSObject(result);
                if (failures) { item.TypeNames.Insert(0, typeof(VerificationResult).FullName + "#SystemLevel"); }
                WriteObject(item);
            }

            WriteObject(outcome.Comparisons, true);
        }

        protected override void StopProcessing() => cancellation.Cancel();

        public void Dispose() => cancellation.Dispose();
    }
}
