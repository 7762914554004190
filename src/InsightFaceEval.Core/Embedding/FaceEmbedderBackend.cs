using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Runs in-process <see cref="IFaceEmbedder"/>s behind the same session as the hosted API, so a local model
    /// (-ModelPath) gets the same store, resume rules, concurrency, progress and output. One embedder per model name.
    /// </summary>
    public sealed class FaceEmbedderBackend : IEmbeddingBackend
    {
        private readonly IReadOnlyDictionary<string, IFaceEmbedder> _embedders;
        private readonly bool _ownsEmbedders;

        /// <param name="embedders">Embedders by the model name users pass to -Model.</param>
        /// <param name="endpointIdentity">
        /// What identifies this source across runs for the store's fingerprint, e.g. "onnx:" plus the model files'
        /// SHA-256, so results from different weights are told apart.
        /// </param>
        /// <param name="ownsEmbedders">Dispose the embedders with the backend.</param>
        public FaceEmbedderBackend(IReadOnlyDictionary<string, IFaceEmbedder> embedders, string endpointIdentity, bool ownsEmbedders = true)
        {
            _embedders = embedders ?? throw new ArgumentNullException(nameof(embedders));
            EndpointIdentity = endpointIdentity ?? throw new ArgumentNullException(nameof(endpointIdentity));
            _ownsEmbedders = ownsEmbedders;
        }

        /// <inheritdoc />
        public string EndpointIdentity { get; }

        /// <inheritdoc />
        public bool ModelsNeedConfirmation => false;

        /// <inheritdoc />
        public bool IsLocal => true;

        /// <inheritdoc />
        public Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
        {
            if (!_embedders.TryGetValue(request.Model, out var embedder))
            {
                throw new EmbeddingBackendException(BackendFailure.Rejected, $"No local model is loaded under the name '{request.Model}'.");
            }

            // Inference is CPU-bound and synchronous: keep it off the caller's thread so the session's workers overlap.
            return Task.Run(() =>
            {
                IReadOnlyList<float[]> features;
                var faceCount = 0;
                try
                {
                    if (embedder is IFaceCountingEmbedder counting)
                    {
                        var crops = counting.EmbedCrops(new[] { request.Image }, cancellationToken);
                        features = crops == null || crops.Count != 1 ? null : new[] { crops[0].Feature };
                        faceCount = features == null ? 0 : crops[0].FaceCount;
                    }
                    else
                    {
                        features = embedder.Embed(new[] { request.Image }, cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (!(ex is EmbeddingBackendException))
                {
                    throw new EmbeddingBackendException(BackendFailure.ImageRejected, $"The local model could not embed the image: {ex.Message}");
                }

                if (features == null || features.Count != 1 || features[0] == null)
                {
                    throw new EmbeddingBackendException(BackendFailure.InvalidReply, "The local model returned no result for the image.");
                }

                return new FeatureReply(embedder.ModelName, features[0], faceCount);
            }, cancellationToken);
        }

        public void Dispose()
        {
            if (!_ownsEmbedders) { return; }
            foreach (var embedder in _embedders.Values) { embedder.Dispose(); }
        }
    }
}
