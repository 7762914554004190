using System;

namespace InsightFaceEval
{
    /// <summary>Outcome of one extraction of one image with one model.</summary>
    public enum EmbeddingStatus
    {
        /// <summary>The model returned a feature vector.</summary>
        Success = 0,

        /// <summary>The model found no face in the crop (an empty feature): a failure to acquire.</summary>
        NoFace = 1,
    }

    /// <summary>
    /// One image embedded by one model. Produced by Get-FaceEmbedding and Import-FaceEmbedding,
    /// consumed by Compare-FaceEmbedding and Measure-FaceVerification.
    /// </summary>
    public sealed class FaceEmbedding
    {
        public FaceEmbedding(
            string path,
            string relativePath,
            string identity,
            string model,
            float[] vector,
            EmbeddingStatus status,
            string embeddingPath,
            string sha256,
            TimeSpan elapsed,
            bool fromStore)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            RelativePath = relativePath ?? System.IO.Path.GetFileName(path);
            Identity = identity;
            Model = model ?? throw new ArgumentNullException(nameof(model));
            Vector = vector ?? Array.Empty<float>();
            Status = status;
            EmbeddingPath = embeddingPath;
            Sha256 = sha256;
            Elapsed = elapsed;
            FromStore = fromStore;
        }

        /// <summary>The same embedding under another identity (an identity map applied on import).</summary>
        public FaceEmbedding WithIdentity(string identity) =>
            new FaceEmbedding(Path, RelativePath, identity, Model, Vector, Status, EmbeddingPath, Sha256, Elapsed, FromStore) { TemplateId = TemplateId, MediaId = MediaId };

        /// <summary>The same embedding as a member of template <paramref name="templateId"/>, from media <paramref name="mediaId"/> (null: its own media).</summary>
        public FaceEmbedding WithTemplate(string templateId, string mediaId) =>
            new FaceEmbedding(Path, RelativePath, Identity, Model, Vector, Status, EmbeddingPath, Sha256, Elapsed, FromStore) { TemplateId = templateId, MediaId = mediaId };

        /// <summary>The template (a set of images of one person, as IJB-B/C enrols them) this image belongs to, or null.</summary>
        public string TemplateId { get; private set; }

        /// <summary>The media (photo or video) the image comes from within its template, or null; frames of one video share it.</summary>
        public string MediaId { get; private set; }

        /// <summary>Full path of the image that was embedded.</summary>
        public string Path { get; }

        /// <summary>Path relative to the dataset root, '/'-separated: the key that pair lists match on.</summary>
        public string RelativePath { get; }

        /// <summary>Identity label (by default the image's parent folder name).</summary>
        public string Identity { get; }

        /// <summary>Model name as the server (or local engine) named it.</summary>
        public string Model { get; }

        /// <summary>Embedding length; 0 for a failure to acquire.</summary>
        public int Dimension => Vector.Length;

        /// <summary>The embedding as returned (the service promises unit length).</summary>
        public float[] Vector { get; }

        /// <summary>Where the .npy file is stored, when it is.</summary>
        public string EmbeddingPath { get; }

        public EmbeddingStatus Status { get; }

        /// <summary>SHA-256 (lowercase hex) of the uploaded image bytes.</summary>
        public string Sha256 { get; }

        /// <summary>Time the request took; zero when read from the store.</summary>
        public TimeSpan Elapsed { get; }

        /// <summary>True when the result came from the store instead of a new request.</summary>
        public bool FromStore { get; }

        public override string ToString() =>
            Status == EmbeddingStatus.Success
                ? $"{Model}: {RelativePath} [{Dimension}]"
                : $"{Model}: {RelativePath} [{Status}]";
    }
}
