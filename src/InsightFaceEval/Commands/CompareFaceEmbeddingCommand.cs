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
        private readonly List<FaceEmbedding> collected = new List<FaceEmbedding>();
        private List<PairListEntry> pairList;

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
        [ValidateSet("AllPairs", "GalleryProbe")]
        public string Protocol { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PairListSet)]
        [ValidateNotNullOrEmpty]
        public string PairList { get; set; }

        [Parameter]
        [ValidateRange(-1.0, 1.0)]
        public double Threshold { get; set; }

        private double? ThresholdOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Threshold)) ? Threshold : (double?)null;

        protected override void BeginProcessing()
        {
            if (ParameterSetName != PairListSet) { return; }
            var path = PathResolver.ResolveFiles(this, new[] { PairList }, true, ErrorPrefix).FirstOrDefault();
            if (path == null)
            {
                ThrowTerminatingError(PathResolver.FileNotFound(GetUnresolvedProviderPathFromPSPath(PairList), ErrorPrefix));
            }

            try
            {
                pairList = PairListReader.Read(path);
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidPairList", ErrorCategory.InvalidData, path));
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ReferenceSet)
            {
                collected.AddRange(InputObject.Where(e => e != null));
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
            var models = collected.GroupBy(e => e.Model, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, List<FaceEmbedding>>(g.Key, g.ToList())).ToList();
            var protocol = ParameterSetName == PairListSet ? PairProtocol.PairList : (PairProtocol)Enum.Parse(typeof(PairProtocol), Protocol);
            var engine = new VerificationEngine(new VerificationOptions(), null, cancellation.Token);
            var designs = engine.Designs(models, protocol, pairList, out var issues, out var identityNames);
            foreach (var problem in issues.Problems) { ProblemRecords.Report(this, problem.Problem, ErrorPrefix); }
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
