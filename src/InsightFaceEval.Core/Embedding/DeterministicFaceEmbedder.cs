using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// A stand-in recogniser for rehearsals and tests: the same bytes and model always give the same unit vector,
    /// different bytes give unrelated ones, and an image that carries <see cref="NoFaceMarker"/> anywhere in its bytes
    /// (for example as a PNG text chunk) gives an empty feature, as the real service does when it finds no face.
    /// It never decodes the image, so it measures the client and the protocol, not a model.
    /// </summary>
    public sealed class DeterministicFaceEmbedder : IFaceEmbedder
    {
        /// <summary>ASCII text that makes an image a "no face" image.</summary>
        public const string NoFaceMarker = "insightfaceeval:no-face";

        private static readonly byte[] MarkerBytes = Encoding.ASCII.GetBytes(NoFaceMarker);
        private readonly byte[] _modelSalt;

        public DeterministicFaceEmbedder(string modelName, int dimension)
        {
            if (string.IsNullOrEmpty(modelName)) { throw new ArgumentException("A model name is required.", nameof(modelName)); }
            if (dimension < 1) { throw new ArgumentOutOfRangeException(nameof(dimension), "The dimension must be at least 1."); }
            ModelName = modelName;
            Dimension = dimension;
            _modelSalt = Encoding.UTF8.GetBytes(modelName + "\0");
        }

        /// <inheritdoc />
        public string ModelName { get; }

        /// <summary>Length of every embedding this model returns.</summary>
        public int Dimension { get; }

        /// <inheritdoc />
        public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
        {
            var result = new float[images.Count][];
            for (var i = 0; i < images.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var exact = EmbedExact(images[i]);
                var vector = new float[exact.Length];
                for (var j = 0; j < exact.Length; j++) { vector[j] = (float)exact[j]; }
                result[i] = vector;
            }

            return result;
        }

        /// <summary>
        /// The embedding in double precision, as a server that normalises in float64 would send it; rounding these to
        /// float32 gives <see cref="Embed"/>'s result, and is exactly what a client must do with the JSON numbers.
        /// </summary>
        public double[] EmbedExact(byte[] image)
        {
            if (image == null) { throw new ArgumentNullException(nameof(image)); }
            if (HasNoFaceMarker(image)) { return Array.Empty<double>(); }

            byte[] seed;
            using (var sha = SHA256.Create())
            {
                sha.TransformBlock(_modelSalt, 0, _modelSalt.Length, null, 0);
                sha.TransformFinalBlock(image, 0, image.Length);
                seed = sha.Hash;
            }

            // SplitMix64 from the hash, then Box-Muller: isotropic directions, so unrelated images score near 0.
            var state = BitConverter.ToUInt64(seed, 0) ^ BitConverter.ToUInt64(seed, 8) ^ BitConverter.ToUInt64(seed, 16) ^ BitConverter.ToUInt64(seed, 24);
            var vector = new double[Dimension];
            double norm = 0;
            for (var i = 0; i < Dimension; i += 2)
            {
                var u1 = ((NextUInt64(ref state) >> 11) + 1.0) / 9007199254740993.0; // (0, 1]
                var u2 = (NextUInt64(ref state) >> 11) / 9007199254740992.0;
                var radius = Math.Sqrt(-2.0 * Math.Log(u1));
                vector[i] = radius * Math.Cos(2 * Math.PI * u2);
                if (i + 1 < Dimension) { vector[i + 1] = radius * Math.Sin(2 * Math.PI * u2); }
            }

            for (var i = 0; i < Dimension; i++) { norm += vector[i] * vector[i]; }
            norm = Math.Sqrt(norm);
            for (var i = 0; i < Dimension; i++) { vector[i] /= norm; }
            return vector;
        }

        /// <summary>True when the image's bytes contain <see cref="NoFaceMarker"/>.</summary>
        public static bool HasNoFaceMarker(byte[] image)
        {
            var first = MarkerBytes[0];
            for (var i = 0; i <= image.Length - MarkerBytes.Length; i++)
            {
                if (image[i] != first) { continue; }
                var j = 1;
                while (j < MarkerBytes.Length && image[i + j] == MarkerBytes[j]) { j++; }
                if (j == MarkerBytes.Length) { return true; }
            }

            return false;
        }

        private static ulong NextUInt64(ref ulong state)
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public void Dispose()
        {
        }

        public override string ToString() => $"{ModelName} (deterministic, {Dimension}-d)";
    }
}
