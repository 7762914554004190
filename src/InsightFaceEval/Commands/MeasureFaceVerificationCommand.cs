using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Subgroups;
using InsightFaceEval.Templates;
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
        private PairingRequest request;
        private TemplateMap templateMap;
        private SubgroupMetadata metadata;
        private readonly List<string> statePaths = new List<string>();
        private ShardSpec shard;
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
        public EmbeddingProtocol Protocol { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string PairList { get; set; }

        /// <summary>Which template (and media) each image belongs to: a CSV (path, template, media, identity) or an IJB face_tid_mid file.</summary>
        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string TemplateMap { get; set; }

        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        public TemplateAggregation TemplateAggregation { get; set; } = TemplateAggregation.MediaThenTemplate;

        /// <summary>A CSV of attributes: first column identity or path, then any attribute columns.</summary>
        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string Metadata { get; set; }

        [Parameter(ParameterSetName = ProtocolSet)]
        [Parameter(ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string[] GroupBy { get; set; }

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
        public int HardestPairCount { get; set; } = VerificationOptions.DefaultHardestPairs;

        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        protected override void BeginProcessing()
        {
            var invalid = RateTargets.CheckFar(FarTarget)?.WithRecommendedAction("Give -FarTarget values strictly between 0 and 1, for example 1e-3.")
                ?? RateTargets.CheckOperatingFar(MyInvocation.BoundParameters.ContainsKey(nameof(OperatingFar)) ? OperatingFar : (double?)null)
                    ?.WithRecommendedAction("Give -OperatingFar a value strictly between 0 and 1, or leave it out to decide at the strictest FAR every model supports.");
            if (invalid != null) { ProblemRecords.Report(this, invalid, ErrorPrefix); }

            modelPatterns = Model?.Select(m => new WildcardPattern(m, WildcardOptions.IgnoreCase)).ToArray();
            BeginSharding();
            if (ParameterSetName == ComparisonSet || ParameterSetName == FromStateSet) { return; }
            request = ParameterSetName == PairListSet ? new PairingRequest(PairProtocol.PairList) : new PairingRequest(Protocol);
            ReadTemplateMap();
            ReadMetadata();
            if (ParameterSetName != PairListSet) { return; }
            var path = ResolveFile(PairList);
            var problem = request.ReadPairList(path, templatePairs: templateMap != null);
            if (problem != null) { ProblemRecords.Report(this, problem.WithRecommendedAction(PairListHint), ErrorPrefix); }
        }

        /// <summary>What a -PairList file must hold.</summary>
        internal const string PairListHint = "Give -PairList a CSV of image1_path,image2_path,label (1 genuine, 0 impostor) or an LFW pairs.txt, with paths relative to the dataset root.";

        private string ResolveFile(string literal)
        {
            var path = PathResolver.ResolveFiles(this, new[] { literal }, true, ErrorPrefix).FirstOrDefault();
            if (path == null) { ThrowTerminatingError(PathResolver.FileNotFound(GetUnresolvedProviderPathFromPSPath(literal), ErrorPrefix)); }
            return path;
        }

        private void ReadTemplateMap()
        {
            if (TemplateMap == null) { return; }
            if (ParameterSetName == ProtocolSet && Protocol == EmbeddingProtocol.GalleryProbe)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Templates are paired by -Protocol AllPairs (every template pair, by identity) or by a template -PairList, not by GalleryProbe folders."),
                    ErrorPrefix + "TemplatesNeedAllPairsOrPairList", ErrorCategory.InvalidArgument, Protocol));
            }

            var path = ResolveFile(TemplateMap);
            try
            {
                templateMap = Templates.TemplateMap.Read(path);
            }
            catch (System.IO.InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidTemplateMap", ErrorCategory.InvalidData, path));
            }
        }

        private void ReadMetadata()
        {
            if (Metadata == null && GroupBy == null) { return; }
            if (Metadata == null || GroupBy == null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-GroupBy names a column of the -Metadata CSV: give both, or neither."),
                    ErrorPrefix + "GroupByNeedsMetadata", ErrorCategory.InvalidArgument, (object)Metadata ?? GroupBy));
            }

            var path = ResolveFile(Metadata);
            try
            {
                metadata = SubgroupMetadata.Read(path, PathStyle.Current.Comparer);
            }
            catch (System.IO.InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidMetadata", ErrorCategory.InvalidData, path));
            }

            var problem = SubgroupStage.CheckColumns(metadata, GroupBy);
            if (problem != null) { ProblemRecords.Report(this, problem, ErrorPrefix); }
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
            if (TemplateMap != null || GroupBy != null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Shard scores image pairs only: run templates (-TemplateMap) and subgroups (-GroupBy) unsharded."),
                    ErrorPrefix + "ShardWithTemplatesOrGroups", ErrorCategory.InvalidArgument, Shard));
            }

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
                request.Add(Embedding.Where(e => e != null && Wanted(e.Model)));
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
                var groups = ModelGroups.Of(comparisons, c => c.Model);
                outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceVerification", ErrorPrefix, progress, () => engine.MeasureComparisons(groups), cancellation.Token);
            }
            else
            {
                if (request.Count == 0) { WarnNothingToMeasure(); return; }
                var groups = request.ByModel();
                if (shard != null)
                {
                    RunShard(engine, progress, groups, request.Protocol, request.PairList);
                    return;
                }

                var verification = new EmbeddingVerification { TemplateMap = templateMap, TemplateAggregation = TemplateAggregation, Metadata = metadata, GroupBy = GroupBy };
                outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceVerification", ErrorPrefix, progress,
                    () => verification.Measure(engine, groups, request.Protocol, request.PairList, cancellation.Token), cancellation.Token);
            }

            WriteOutcome(outcome);
        }

        private void RunShard(VerificationEngine engine, MeasurementProgress progress, List<KeyValuePair<string, List<FaceEmbedding>>> groups, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList)
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
            foreach (var problem in outcome.Problems) { ProblemRecords.Report(this, MeasurementHints.Add(problem.Problem, ParameterSetName == PairListSet), ErrorPrefix); }
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
            foreach (var problem in outcome.Problems) { ProblemRecords.Report(this, MeasurementHints.Add(problem.Problem, ParameterSetName == PairListSet), ErrorPrefix); }
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
