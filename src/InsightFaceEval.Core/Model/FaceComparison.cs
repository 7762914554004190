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
        public FaceComparison(
            string model,
            string referencePath,
            string referenceRelativePath,
            string referenceIdentity,
            string differencePath,
            string differenceRelativePath,
            string differenceIdentity,
            double similarity,
            bool? isGenuine,
            double? threshold,
            ComparisonStatus status)
        {
            Model = model;
            ReferencePath = referencePath;
            ReferenceRelativePath = referenceRelativePath;
            ReferenceIdentity = referenceIdentity;
            DifferencePath = differencePath;
            DifferenceRelativePath = differenceRelativePath;
            DifferenceIdentity = differenceIdentity;
            Similarity = similarity;
            IsGenuine = isGenuine;
            Threshold = threshold;
            Status = status;
        }

        /// <summary>The model both embeddings came from (embeddings of different models are never compared).</summary>
        public string Model { get; }

        public string ReferencePath { get; }

        /// <summary>Dataset-relative key of the reference image ('/'-separated).</summary>
        public string ReferenceRelativePath { get; }

        public string ReferenceIdentity { get; }

        public string DifferencePath { get; }

        public string DifferenceRelativePath { get; }

        public string DifferenceIdentity { get; }

        /// <summary>True cosine similarity in [-1, 1] (float32 arithmetic); -1 when <see cref="Status"/> is FailedToAcquire.</summary>
        public double Similarity { get; }

        /// <summary>True for a genuine (same identity, or pair-list label 1) pair, false for an impostor, null when unknown.</summary>
        public bool? IsGenuine { get; }

        /// <summary>The decision threshold given to Compare-FaceEmbedding, if any.</summary>
        public double? Threshold { get; }

        /// <summary>Similarity &gt;= Threshold (ties accept); null without a threshold; false for a failed pair.</summary>
        public bool? IsMatch => Threshold.HasValue ? Status == ComparisonStatus.Completed && Similarity >= Threshold.Value : (bool?)null;

        public ComparisonStatus Status { get; }

        public override string ToString() =>
            Status == ComparisonStatus.Completed
                ? string.Format(CultureInfo.InvariantCulture, "{0}: {1} vs {2} = {3:F4}", Model, ReferenceRelativePath, DifferenceRelativePath, Similarity)
                : string.Format(CultureInfo.InvariantCulture, "{0}: {1} vs {2} [{3}]", Model, ReferenceRelativePath, DifferenceRelativePath, Status);
    }
}
