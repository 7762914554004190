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
}
