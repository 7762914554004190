using System;
using System.Collections.Generic;
using System.Numerics;
using System.Numerics.Tensors;

namespace InsightFaceEval.Scoring
{
    /// <summary>
    /// Rows of L2-normalised embeddings, padded with zeros to a whole number of SIMD vectors so every dot
    /// product runs the same vector loop. Normalising once here is what makes the kernel's dot a true cosine.
    /// Normalisation and validation use System.Numerics.Tensors (TensorPrimitives.Norm, Divide); the dot products
    /// are <see cref="SimilarityKernel"/>'s, which says why.
    /// </summary>
    public sealed class EmbeddingMatrix
    {
        private EmbeddingMatrix(float[] data, int rows, int dimension, int stride)
        {
            Data = data;
            Rows = rows;
            Dimension = dimension;
            Stride = stride;
        }

        public float[] Data { get; }

        public int Rows { get; }

        public int Dimension { get; }

        /// <summary>Floats per row: Dimension rounded up to Vector&lt;float&gt;.Count.</summary>
        public int Stride { get; }

        /// <summary>
        /// Normalises each vector (TensorPrimitives.Norm, then Divide). Throws <see cref="ArgumentException"/> naming
        /// the row for a wrong length, a non-finite value or a zero vector: their cosine is undefined.
        /// </summary>
        public static EmbeddingMatrix FromVectors(IReadOnlyList<float[]> vectors, int dimension)
        {
            if (dimension <= 0) { throw new ArgumentOutOfRangeException(nameof(dimension)); }
            int width = Vector<float>.Count;
            int stride = (dimension + width - 1) / width * width;
            var data = new float[(long)vectors.Count * stride];
            for (int r = 0; r < vectors.Count; r++)
            {
                var v = vectors[r];
                if (v == null || v.Length != dimension)
                {
                    throw new ArgumentException($"Row {r} has {v?.Length ?? 0} values, expected {dimension}.");
                }

                var check = InvalidReason(v);
                if (check != null) { throw new ArgumentException($"Row {r} {check}."); }
                var row = new Span<float>(data, r * stride, dimension);
                float norm = TensorPrimitives.Norm(v);
                TensorPrimitives.Divide(v, norm, row);
            }

            return new EmbeddingMatrix(data, vectors.Count, dimension, stride);
        }

        /// <summary>Why a vector cannot be scored (non-finite value, zero length), or null when it can.</summary>
        public static string InvalidReason(float[] vector)
        {
            for (int i = 0; i < vector.Length; i++)
            {
                if (float.IsNaN(vector[i]) || float.IsInfinity(vector[i]))
                {
                    return $"has a non-finite value at index {i}";
                }
            }

            float norm = TensorPrimitives.Norm(vector);
            if (!(norm > 0f) || float.IsInfinity(norm))
            {
                return norm > 0f ? "has a norm too large for float32" : "is all zeros (its cosine is undefined)";
            }

            return null;
        }

        /// <summary>A new matrix of the given rows, in that order.</summary>
        public EmbeddingMatrix SelectRows(IReadOnlyList<int> rows)
        {
            var data = new float[(long)rows.Count * Stride];
            for (int r = 0; r < rows.Count; r++) { Array.Copy(Data, (long)rows[r] * Stride, data, (long)r * Stride, Stride); }
            return new EmbeddingMatrix(data, rows.Count, Dimension, Stride);
        }

        /// <summary>The score of rows <paramref name="a"/> and <paramref name="b"/>: the same arithmetic as every kernel tile.</summary>
        public float Score(int a, int b) => SimilarityKernel.Dot(Data, a * Stride, b * Stride, Stride);

        /// <summary>The score of row <paramref name="a"/> of this matrix and row <paramref name="b"/> of <paramref name="other"/>.</summary>
        public float Score(int a, EmbeddingMatrix other, int b) => SimilarityKernel.Dot(Data, a * Stride, other.Data, b * other.Stride, Stride);
    }
}
