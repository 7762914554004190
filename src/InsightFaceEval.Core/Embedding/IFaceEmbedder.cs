using System;
using System.Collections.Generic;
using System.Threading;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Something that turns face-crop image files into embeddings in-process: the local endpoint's
    /// deterministic stand-in, and the local ONNX engine. The hosted API is reached over HTTP instead.
    /// </summary>
    public interface IFaceEmbedder : IDisposable
    {
        /// <summary>The model name results are reported under.</summary>
        string ModelName { get; }

        /// <summary>
        /// Embeds each image (the file's encoded bytes, unchanged). Returns one entry per image, in order:
        /// the L2-normalised embedding, or an empty array when no face is found (a failure to acquire).
        /// Throws for an image that cannot be decoded.
        /// </summary>
        IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken);
    }

    /// <summary>An embedder that also tells how many faces it found in each crop (it embeds one of them).</summary>
    public interface IFaceCountingEmbedder : IFaceEmbedder
    {
        /// <summary>As <see cref="IFaceEmbedder.Embed"/>, with each crop's face count.</summary>
        IReadOnlyList<EmbeddedCrop> EmbedCrops(IReadOnlyList<byte[]> images, CancellationToken cancellationToken);
    }

    /// <summary>One crop's embedding (empty when no face) and the number of faces found in it.</summary>
    public sealed class EmbeddedCrop
    {
        public EmbeddedCrop(float[] feature, int faceCount)
        {
            Feature = feature ?? throw new ArgumentNullException(nameof(feature));
            FaceCount = faceCount;
        }

        public float[] Feature { get; }

        public int FaceCount { get; }
    }
}
