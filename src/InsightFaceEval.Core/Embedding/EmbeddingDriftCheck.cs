using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The model-change canary: stored (reference) embeddings against fresh embeddings of the same images and models.
    /// A store skips every image it already holds, so a model replaced behind the same name would otherwise go unnoticed;
    /// re-extracting a few stored images and comparing the vectors shows it. Matching is by model and image
    /// (dataset-relative path, else the full path), ordinal.
    /// </summary>
    public sealed class EmbeddingDriftCheck
    {
        /// <summary>The same bytes through the same model give the same vector up to float noise: 0.9999.</summary>
        public const double DefaultMinimumCosine = 0.9999;

        private readonly List<FaceEmbedding> references = new List<FaceEmbedding>();
        private readonly Dictionary<string, FaceEmbedding> fresh = new Dictionary<string, FaceEmbedding>(StringComparer.Ordinal);

        public EmbeddingDriftCheck(double minimumCosine = DefaultMinimumCosine)
        {
            if (double.IsNaN(minimumCosine) || minimumCosine < -1 || minimumCosine > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(minimumCosine), minimumCosine, "The minimum cosine must be between -1 and 1.");
            }

            MinimumCosine = minimumCosine;
        }

        public double MinimumCosine { get; }

        /// <summary>
        /// Adds a stored embedding to check. Returns a problem, and skips it, when it has no vector ("NoReferenceVector":
        /// a stored failure to acquire has nothing to compare) or its image was already given for its model ("DuplicateReference").
        /// </summary>
        public Problem AddReference(FaceEmbedding reference)
        {
            if (reference == null) { return null; }
            if (reference.Status != EmbeddingStatus.Success || reference.Vector == null || reference.Vector.Length == 0)
            {
                return new Problem("NoReferenceVector", ProblemCategory.InvalidArgument,
                    new ArgumentException($"The reference embedding of '{KeyPath(reference)}' ({reference.Model}) has no vector to compare: its status is {reference.Status}."), reference);
            }

            if (references.Any(r => Key(r) == Key(reference)))
            {
                return new Problem("DuplicateReference", ProblemCategory.InvalidArgument,
                    new ArgumentException($"'{KeyPath(reference)}' ({reference.Model}) was given twice as a reference; the first one is checked."), reference);
            }

            references.Add(reference);
            return null;
        }

        /// <summary>Adds a fresh embedding; one that matches no reference is ignored (returns false). The last one of an image wins.</summary>
        public bool AddFresh(FaceEmbedding embedding)
        {
            if (embedding == null) { return false; }
            var key = Key(embedding);
            fresh[key] = embedding;
            return references.Count == 0 || references.Any(r => Key(r) == key);
        }

        public int ReferenceCount => references.Count;

        /// <summary>One result per reference, in the order the references were given.</summary>
        public IReadOnlyList<EmbeddingDrift> Results() => references.Select(Compare).ToList();

        private EmbeddingDrift Compare(FaceEmbedding reference)
        {
            var dimension = reference.Vector.Length;
            if (!fresh.TryGetValue(Key(reference), out var now))
            {
                return Drift(reference, null, null, "no fresh embedding of this image");
            }

            if (now.Status != EmbeddingStatus.Success || now.Vector == null || now.Vector.Length == 0)
            {
                return Drift(reference, null, null, $"the model now returns {now.Status} for this image");
            }

            if (now.Vector.Length != dimension)
            {
                return Drift(reference, now.Vector.Length, null, string.Format(CultureInfo.InvariantCulture, "the vector length changed from {0} to {1}", dimension, now.Vector.Length));
            }

            var cosine = Cosine(reference.Vector, now.Vector);
            if (!(cosine >= MinimumCosine))
            {
                return Drift(reference, dimension, double.IsNaN(cosine) ? (double?)null : cosine,
                    string.Format(CultureInfo.InvariantCulture, "cosine {0:0.######} is below {1:0.######}", cosine, MinimumCosine));
            }

            return new EmbeddingDrift(reference.Model, reference.RelativePath, reference.Path, dimension, dimension, cosine, false, null);
        }

        private static EmbeddingDrift Drift(FaceEmbedding reference, int? dimension, double? cosine, string reason) =>
            new EmbeddingDrift(reference.Model, reference.RelativePath, reference.Path, reference.Vector.Length, dimension, cosine, true, reason);

        /// <summary>Cosine in double precision; NaN when either vector is all zeros.</summary>
        public static double Cosine(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var i = 0; i < a.Length; i++)
            {
                dot += (double)a[i] * b[i];
                na += (double)a[i] * a[i];
                nb += (double)b[i] * b[i];
            }

            return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : double.NaN;
        }

        private static string KeyPath(FaceEmbedding e) => string.IsNullOrEmpty(e.RelativePath) ? e.Path : e.RelativePath;

        private static string Key(FaceEmbedding e) => (e.Model ?? string.Empty) + "\u0000" + KeyPath(e);
    }
}
