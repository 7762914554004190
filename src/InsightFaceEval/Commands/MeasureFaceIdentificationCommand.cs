using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Commands
{
    /// <summary>Measure-FaceIdentification: 1:N identification metrics per model (Rank-k, CMC, TPIR@FPIR).</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "FaceIdentification")]
    [OutputType(typeof(IdentificationResult))]
    public sealed class MeasureFaceIdentificationCommand : PSCmdlet, IDisposable
    {
        private const string ErrorPrefix = "MeasureFaceIdentification";
        private const int ActivityId = 0x4D49;
        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private readonly List<FaceEmbedding> embeddings = new List<FaceEmbedding>();
        private WildcardPattern[] modelPatterns;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public FaceEmbedding[] Embedding { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public double[] FpirTarget { get; set; } = IdentificationOptions.DefaultFpirTargets;

        [Parameter]
        [ValidateRange(1, 1000)]
        [Alias("MaxRank")]
        public int MaximumRank { get; set; } = 20;

        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Model { get; set; }

        /// <summary>Bootstrap replicates over the probes' identities for the Rank-1, Rank-5 and TPIR intervals (0: none).</summary>
        [Parameter]
        [ValidateRange(0, 1000000)]
        public int BootstrapSamples { get; set; } = 1000;

        [Parameter]
        public int Seed { get; set; } = 1;

        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        protected override void BeginProcessing()
        {
            var invalid = RateTargets.CheckFpir(FpirTarget);
            if (invalid != null) { ProblemRecords.Report(this, invalid.WithRecommendedAction("Give -FpirTarget values strictly between 0 and 1, for example 1e-2."), ErrorPrefix); }

            modelPatterns = Model?.Select(m => new WildcardPattern(m, WildcardOptions.IgnoreCase)).ToArray();
        }

        protected override void ProcessRecord() =>
            embeddings.AddRange(Embedding.Where(e => e != null && (modelPatterns == null || modelPatterns.Any(p => p.IsMatch(e.Model ?? string.Empty)))));

        protected override void EndProcessing()
        {
            if (embeddings.Count == 0) { return; }
            var groups = ModelGroups.Of(embeddings, e => e.Model);
            var progress = new MeasurementProgress();
            var engine = new IdentificationEngine(new IdentificationOptions { FpirTargets = FpirTarget, MaxRank = MaximumRank, Workers = ThrottleLimit, BootstrapSamples = BootstrapSamples, BootstrapSeed = Seed }, progress, cancellation.Token);
            var outcome = BackgroundWork.Run(this, ActivityId, "Measure-FaceIdentification", ErrorPrefix, progress, () => engine.Measure(groups), cancellation.Token);
            foreach (var problem in outcome.Problems) { ProblemRecords.Report(this, MeasurementHints.Add(problem.Problem), ErrorPrefix); }
            foreach (var note in outcome.Notes) { WriteVerbose(note); }
            WriteObject(outcome.Results, true);
        }

        protected override void StopProcessing() => cancellation.Cancel();

        public void Dispose() => cancellation.Dispose();
    }
}
