using System.Globalization;

namespace InsightFaceEval
{
    /// <summary>
    /// One stored embedding compared with a fresh one of the same image and model (Test-FaceEmbeddingDrift): the same
    /// bytes under the same model name must give the same vector, so a low cosine means the model behind the name changed.
    /// </summary>
    public sealed class EmbeddingDrift
    {
        public EmbeddingDrift(string model, string relativePath, string path, int referenceDimension, int? dimension, double? cosine, bool changed, string reason)
        {
            Model = model;
            RelativePath = relativePath;
            Path = path;
            ReferenceDimension = referenceDimension;
            Dimension = dimension;
            Cosine = cosine;
            Changed = changed;
            Reason = reason;
        }

        /// <summary>The model, as the stored (reference) embedding names it.</summary>
        public string Model { get; }

        /// <summary>The image, relative to the dataset root (the key the two embeddings are matched on).</summary>
        public string RelativePath { get; }

        /// <summary>The image's full path, as the reference embedding recorded it.</summary>
        public string Path { get; }

        /// <summary>Length of the reference vector.</summary>
        public int ReferenceDimension { get; }

        /// <summary>Length of the fresh vector; null when there is no fresh vector.</summary>
        public int? Dimension { get; }

        /// <summary>Cosine of the two vectors; null when they cannot be compared (no fresh vector, other length).</summary>
        public double? Cosine { get; }

        /// <summary>True when the fresh vector is missing, of another length, or below the minimum cosine.</summary>
        public bool Changed { get; }

        /// <summary>Why it counts as changed, in plain language; null when unchanged.</summary>
        public string Reason { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} {1}: {2}", Model, RelativePath, Changed ? "changed (" + Reason + ")" : "unchanged");
    }
}
