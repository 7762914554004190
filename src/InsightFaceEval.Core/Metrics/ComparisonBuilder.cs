using System;
using System.Collections.Generic;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The FaceComparison objects of a protocol, pair by pair in pair-list order, scored with the kernel's arithmetic,
    /// so Compare-FaceEmbedding | Measure-FaceVerification gives the same numbers as measuring the embeddings directly.
    /// </summary>
    public static class ComparisonBuilder
    {
        /// <param name="identityNames">Identity label of each identity index (the measurement's labels, e.g. an unknown/ image's own), so
        /// Measure-FaceVerification rebuilds exactly the identities -Embedding input would use.</param>
        public static IEnumerable<FaceComparison> Enumerate(PairDesign design, IReadOnlyList<string> identityNames, double? threshold, CancellationToken cancellationToken)
        {
            EmbeddingMatrix matrix = null;
            int dimension = 0;
            foreach (var i in design.RowImage) { dimension = design.Images[i].Dimension; break; }
            if (dimension > 0)
            {
                var vectors = new List<float[]>(design.RowImage.Length);
                foreach (var i in design.RowImage) { vectors.Add(design.Images[i].Vector); }
                matrix = EmbeddingMatrix.FromVectors(vectors, dimension);
            }

            var list = design as PairListDesign;
            for (long ordinal = 0; ordinal < design.PairCount; ordinal++)
            {
                if ((ordinal & 0xFFF) == 0) { cancellationToken.ThrowIfCancellationRequested(); }
                design.PairAt(ordinal, out var a, out var b);
                bool genuine = list != null ? list.IsGenuinePair(ordinal) : design.Identity[a] == design.Identity[b];
                bool completed = design.PairCompleted(a, b, ordinal);
                double score = completed ? design.PairScore(matrix, a, b, ordinal) : -1;
                var x = design.Images[a];
                var y = design.Images[b];
                yield return new FaceComparison(x.Model, design.Protocol, dimension,
                    x.Path, x.RelativePath, identityNames[design.Identity[a]], x.Status,
                    y.Path, y.RelativePath, identityNames[design.Identity[b]], y.Status,
                    score, genuine, threshold);
            }
        }

        /// <summary>One reference against one difference embedding of the same model (null Reason means it was scored).</summary>
        public static FaceComparison Compare(FaceEmbedding reference, FaceEmbedding difference, double? threshold, out string problem, out string reason)
        {
            problem = reason = null;
            if (!string.Equals(reference.Model, difference.Model, StringComparison.Ordinal))
            {
                problem = "ModelMismatch";
                reason = $"'{reference.RelativePath}' was embedded by model '{reference.Model}' and '{difference.RelativePath}' by '{difference.Model}': embeddings of different models are never compared.";
                return null;
            }

            bool? genuine = string.IsNullOrEmpty(reference.Identity) || string.IsNullOrEmpty(difference.Identity)
                ? (bool?)null
                : string.Equals(reference.Identity, difference.Identity, StringComparison.Ordinal);
            if (reference.Status != EmbeddingStatus.Success || difference.Status != EmbeddingStatus.Success)
            {
                return Pair(reference, difference, Math.Max(reference.Dimension, difference.Dimension), -1, genuine, threshold);
            }

            if (reference.Dimension != difference.Dimension)
            {
                problem = "DimensionMismatch";
                reason = $"'{reference.RelativePath}' has {reference.Dimension} values and '{difference.RelativePath}' has {difference.Dimension} (model '{reference.Model}'): embeddings of different lengths are never compared.";
                return null;
            }

            foreach (var e in new[] { reference, difference })
            {
                var invalid = EmbeddingMatrix.InvalidReason(e.Vector);
                if (invalid != null)
                {
                    problem = "InvalidEmbedding";
                    reason = $"The embedding of '{e.RelativePath}' ({e.Model}) {invalid}, so its cosine is undefined.";
                    return null;
                }
            }

            var m = EmbeddingMatrix.FromVectors(new[] { reference.Vector, difference.Vector }, reference.Dimension);
            return Pair(reference, difference, reference.Dimension, m.Score(0, 1), genuine, threshold);
        }

        private static FaceComparison Pair(FaceEmbedding reference, FaceEmbedding difference, int dimension, double score, bool? genuine, double? threshold) =>
            new FaceComparison(reference.Model, FaceComparison.ExplicitPairs, dimension,
                reference.Path, reference.RelativePath, reference.Identity, reference.Status,
                difference.Path, difference.RelativePath, difference.Identity, difference.Status,
                score, genuine, threshold);
    }
}
