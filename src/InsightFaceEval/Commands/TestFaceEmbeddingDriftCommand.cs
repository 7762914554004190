using System.Management.Automation;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Compares fresh embeddings (the pipeline) with stored ones of the same images and models (-ReferenceEmbedding):
    /// the model-change canary of a nightly run. One EmbeddingDrift per reference.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "FaceEmbeddingDrift")]
    [OutputType(typeof(EmbeddingDrift))]
    public sealed class TestFaceEmbeddingDriftCommand : PSCmdlet
    {
        private const string ErrorPrefix = "TestFaceEmbeddingDrift";
        private EmbeddingDriftCheck check;

        /// <summary>Fresh embeddings of the reference images (Get-FaceEmbedding into a scratch store).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public FaceEmbedding[] InputObject { get; set; }

        /// <summary>The stored embeddings to check (Get-FaceEmbedding or Import-FaceEmbedding output from the store).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Reference")]
        [AllowEmptyCollection]
        public FaceEmbedding[] ReferenceEmbedding { get; set; }

        /// <summary>The lowest cosine that counts as the same vector (default 0.9999).</summary>
        [Parameter]
        [ValidateRange(-1.0, 1.0)]
        public double MinimumCosine { get; set; } = EmbeddingDriftCheck.DefaultMinimumCosine;

        protected override void BeginProcessing()
        {
            check = new EmbeddingDriftCheck(MinimumCosine);
            foreach (var reference in ReferenceEmbedding ?? new FaceEmbedding[0])
            {
                var problem = check.AddReference(reference);
                if (problem != null)
                {
                    ProblemRecords.Report(this, problem.WithRecommendedAction("Pass only stored embeddings with Status Success, one per image and model, to -ReferenceEmbedding."), ErrorPrefix);
                }
            }
        }

        protected override void ProcessRecord()
        {
            foreach (var embedding in InputObject ?? new FaceEmbedding[0])
            {
                if (embedding != null && !check.AddFresh(embedding))
                {
                    WriteVerbose($"'{embedding.RelativePath}' ({embedding.Model}) matches no reference embedding; it is not compared.");
                }
            }
        }

        protected override void EndProcessing()
        {
            foreach (var result in check.Results()) { WriteObject(result); }
        }
    }
}
