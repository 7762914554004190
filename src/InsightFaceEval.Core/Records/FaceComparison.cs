using System.Globalization;
using System.Text.Json.Serialization;

namespace InsightFaceEval
{
    /// <summary>Whether a pair could be scored.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public enum ComparisonStatus
    {
        /// <summary>Both images were embedded; <see cref="FaceComparison.Similarity"/> is their true cosine.</summary>
        Completed = 0,

        /// <summary>
        /// At least one image had no face (a failure to acquire). The pair is scored -1, the system-level
        /// convention of metrics.md: a failed genuine pair is a false reject, a failed impostor is never a false accept.
        /// </summary>
        FailedToAcquire = 1,
    }

    /// <summary>One pair of embeddings of one model, scored. Produced by Compare-FaceEmbedding, consumed by Measure-FaceVerification.</summary>
    public sealed class FaceComparison
    {
        /// <summary>The protocol name of pairs given as -ReferenceEmbedding and -DifferenceEmbedding.</summary>
        public const string ExplicitPairs = "ExplicitPairs";

        /// <param name="referenceStatus">Whether the reference image was embedded: each side says so, because
        /// Measure-FaceVerification derives the failure-to-acquire rate from the images the comparisons name.</param>
        public FaceComparison(
            string model,
            string protocol,
            int dimension,
            string referencePath,
            string referenceRelativePath,
            string referenceIdentity,
            EmbeddingStatus referenceStatus,
            string differencePath,
            string differenceRelativePath,
            string differenceIdentity,
            EmbeddingStatus differenceStatus,
            double similarity,
            bool? isGenuine,
            double? threshold)
        {
            Model = model;
            Protocol = protocol;
            Dimension = dimension;
            ReferencePath = referencePath;
            ReferenceRelativePath = referenceRelativePath;
            ReferenceIdentity = referenceIdentity;
            ReferenceStatus = referenceStatus;
            DifferencePath = differencePath;
            DifferenceRelativePath = differenceRelativePath;
            DifferenceIdentity = differenceIdentity;
            DifferenceStatus = differenceStatus;
            Similarity = similarity;
            IsGenuine = isGenuine;
            Threshold = threshold;
        }

        /// <summary>The model both embeddings came from (embeddings of different models are never compared).</summary>
        public string Model { get; }

        /// <summary>How the pair was formed: AllPairs, GalleryProbe, PairList, or ExplicitPairs (-ReferenceEmbedding/-DifferenceEmbedding).</summary>
        public string Protocol { get; }

        /// <summary>The model's embedding length (0 when neither image was embedded).</summary>
        public int Dimension { get; }

        public string ReferencePath { get; }

        /// <summary>Dataset-relative key of the reference image ('/'-separated).</summary>
        public string ReferenceRelativePath { get; }

        public string ReferenceIdentity { get; }

        /// <summary>Success, or NoFace when the model found no face in the reference image (a failure to acquire).</summary>
        public EmbeddingStatus ReferenceStatus { get; }

        public string DifferencePath { get; }

        public string DifferenceRelativePath { get; }

        public string DifferenceIdentity { get; }

        /// <summary>Success, or NoFace when the model found no face in the difference image (a failure to acquire).</summary>
        public EmbeddingStatus DifferenceStatus { get; }

        /// <summary>True cosine similarity in [-1, 1] (float32 arithmetic); -1 when <see cref="Status"/> is FailedToAcquire.</summary>
        public double Similarity { get; }

        /// <summary>True for a genuine (same identity, or pair-list label 1) pair, false for an impostor, null when unknown.</summary>
        public bool? IsGenuine { get; }

        /// <summary>The decision threshold given to Compare-FaceEmbedding, if any.</summary>
        public double? Threshold { get; }

        /// <summary>Similarity &gt;= Threshold (ties accept); null without a threshold; false for a failed pair.</summary>
        public bool? IsMatch => Threshold.HasValue ? Status == ComparisonStatus.Completed && Similarity >= Threshold.Value : (bool?)null;

        /// <summary>Completed when both images were embedded, otherwise FailedToAcquire.</summary>
        public ComparisonStatus Status =>
            ReferenceStatus == EmbeddingStatus.Success && DifferenceStatus == EmbeddingStatus.Success ? ComparisonStatus.Completed : ComparisonStatus.FailedToAcquire;

        private string FailedSide =>
            ReferenceStatus != EmbeddingStatus.Success
                ? (DifferenceStatus != EmbeddingStatus.Success ? "both" : "reference")
                : (DifferenceStatus != EmbeddingStatus.Success ? "difference" : null);

        public override string ToString() =>
            Status == ComparisonStatus.Completed
                ? string.Format(CultureInfo.InvariantCulture, "{0}: {1} vs {2} = {3:F4}", Model, ReferenceRelativePath, DifferenceRelativePath, Similarity)
                : string.Format(CultureInfo.InvariantCulture, "{0}: {1} vs {2} [no face: {3}]", Model, ReferenceRelativePath, DifferenceRelativePath, FailedSide);
    }
}
