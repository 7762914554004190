using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Compare-FaceEmbedding: true cosine similarity of pairs of embeddings of the same model, either reference
    /// against difference (as Compare-Object names them) or every pair a protocol forms from piped embeddings.
    /// </summary>
    [Cmdlet(VerbsData.Compare, "FaceEmbedding", DefaultParameterSetName = ReferenceSet)]
    [OutputType(typeof(FaceComparison))]
    public sealed class CompareFaceEmbeddingCommand : PSCmdlet, IDisposable
    {
        private const string ReferenceSet = "Reference";
        private const string ProtocolSet = "Protocol";
        private const string PairListSet = "PairList";
        private const string ErrorPrefix = "CompareFaceEmbedding";
        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private PairingRequest request;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ReferenceSet)]
        [ValidateNotNullOrEmpty]
        public FaceEmbedding[] ReferenceEmbedding { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ParameterSetName = ReferenceSet)]
        [ValidateNotNull]
        public FaceEmbedding[] DifferenceEmbedding { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ProtocolSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PairListSet)]
        [ValidateNotNull]
        public FaceEmbedding[] InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ProtocolSet)]
        public EmbeddingProtocol Protocol { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string PairList { get; set; }

        [Parameter]
        [ValidateRange(-1.0, 1.0)]
        public double Threshold { get; set; }

        private double? ThresholdOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Threshold)) ? Threshold : (double?)null;

        protected override void BeginProcessing()
        {
            if (ParameterSetName == ReferenceSet) { return; }
            request = ParameterSetName == PairListSet ? new PairingRequest(PairProtocol.PairList) : new PairingRequest(Protocol);
            if (ParameterSetName != PairListSet) { return; }
            var path = PathResolver.ResolveFiles(this, new[] { PairList }, true, ErrorPrefix).FirstOrDefault();
            if (path == null)
            {
                ThrowTerminatingError(PathResolver.FileNotFound(GetUnresolvedProviderPathFromPSPath(PairList), ErrorPrefix));
            }

            var problem = request.ReadPairList(path);
            if (problem != null) { ProblemRecords.Report(this, problem.WithRecommendedAction(MeasureFaceVerificationCommand.PairListHint), ErrorPrefix); }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ReferenceSet)
            {
                request.Add(InputObject);
                return;
            }

            foreach (var difference in DifferenceEmbedding.Where(e => e != null))
            {
                var sameModel = ReferenceEmbedding.Where(r => r != null && string.Equals(r.Model, difference.Model, StringComparison.Ordinal)).ToList();
                if (sameModel.Count == 0)
                {
                    var models = string.Join("', '", ReferenceEmbedding.Where(r => r != null).Select(r => r.Model).Distinct());
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"'{difference.RelativePath}' was embedded by model '{difference.Model}', but the reference embeddings are from '{models}': embeddings of different models are never compared."),
                        ErrorPrefix + "ModelMismatch", ErrorCategory.InvalidArgument, difference));
                    continue;
                }

                foreach (var reference in sameModel)
                {
                    var comparison = ComparisonBuilder.Compare(reference, difference, ThresholdOrNull, out var problem, out var reason);
                    if (comparison != null) { WriteObject(comparison); }
                    else { WriteError(new ErrorRecord(new InvalidOperationException(reason), ErrorPrefix + problem, ErrorCategory.InvalidData, difference)); }
                }
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ReferenceSet) { return; }
            var engine = new VerificationEngine(new VerificationOptions(), null, cancellation.Token);
            var designs = engine.Designs(request.ByModel(), request.Protocol, request.PairList, out var issues, out var identityNames);
            foreach (var problem in issues.Problems) { ProblemRecords.Report(this, MeasurementHints.Add(problem.Problem, ParameterSetName == PairListSet), ErrorPrefix); }
            foreach (var note in issues.Notes) { WriteVerbose(note); }
            foreach (var design in designs)
            {
                foreach (var comparison in ComparisonBuilder.Enumerate(design.Value, identityNames, ThresholdOrNull, cancellation.Token))
                {
                    WriteObject(comparison);
                }
            }
        }

        protected override void StopProcessing() => cancellation.Cancel();

        public void Dispose() => cancellation.Dispose();
    }
}
