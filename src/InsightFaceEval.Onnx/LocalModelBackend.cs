using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using InsightFaceEval.IO;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// Local ONNX models behind the extraction session's backend seam (Get-FaceEmbedding -ModelPath): one
    /// <see cref="LocalFaceEngine"/> per model name, so local extraction gets the HTTP path's store, resume rules,
    /// concurrency, progress, output objects and failure-to-acquire handling unchanged.
    /// </summary>
    public sealed class LocalModelBackend : IEmbeddingBackend
    {
        private readonly FaceEmbedderBackend _inner;

        private LocalModelBackend(IReadOnlyList<LocalFaceEngine> engines, string identity)
        {
            Engines = engines;
            _inner = new FaceEmbedderBackend(engines.ToDictionary(e => e.ModelName, e => (IFaceEmbedder)e, StringComparer.Ordinal), identity, ownsEmbedders: true);
        }

        /// <summary>The engines, in the order their models were given.</summary>
        public IReadOnlyList<LocalFaceEngine> Engines { get; }

        /// <summary>
        /// "onnx:" and, per model, its name, the SHA-256 of the recogniser, detector and landmark files and the pixel
        /// normalisation: the store's fingerprint then tells results of different weights or preprocessing apart.
        /// </summary>
        public string EndpointIdentity => _inner.EndpointIdentity;

        /// <summary>Local models cannot be refused by anyone, so no first request is sent alone.</summary>
        public bool ModelsNeedConfirmation => false;

        /// <inheritdoc />
        public bool IsLocal => true;

        /// <summary>
        /// The name a model is reported under when none is given: the recogniser's file name without its extension
        /// (w600k_r50.onnx gives w600k_r50).
        /// </summary>
        public static string DefaultModelName(string recognizerPath) => Path.GetFileNameWithoutExtension(recognizerPath);

        /// <summary>
        /// Throws <see cref="ArgumentException"/> when two models would share a store folder: the same name, or on
        /// Windows (<paramref name="comparer"/> without case) names that differ only in case.
        /// </summary>
        internal static void CheckNames(IReadOnlyList<string> names, StringComparer comparer)
        {
            var duplicate = names.GroupBy(n => n, comparer).FirstOrDefault(g => g.Count() > 1);
            if (duplicate == null) { return; }
            var spellings = duplicate.Distinct(StringComparer.Ordinal).ToList();
            if (spellings.Count > 1) { throw new ArgumentException(ModelNames.Message(spellings[0], spellings[1]) + " Give each its own name with -Model."); }
            throw new ArgumentException($"Two local models would be stored under the name '{duplicate.Key}'. Give each its own name with -Model.");
        }

        /// <summary>
        /// Opens one engine per entry. Throws <see cref="ArgumentException"/> when two entries share a model name,
        /// <see cref="OnnxModelException"/> for a model that is missing, unreadable or does not fit its role, and
        /// <see cref="OnnxRuntimeUnavailableException"/> when ONNX Runtime cannot load; nothing stays open then.
        /// </summary>
        public static LocalModelBackend Open(IReadOnlyList<LocalFaceEngineOptions> models, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (models == null || models.Count == 0) { throw new ArgumentException("At least one local model is required.", nameof(models)); }
            CheckNames(models.Select(m => string.IsNullOrEmpty(m.ModelName) ? DefaultModelName(m.RecognizerPath) : m.ModelName).ToList(), PathStyle.Current.Comparer);

            var engines = new List<LocalFaceEngine>();
            try
            {
                for (var i = 0; i < models.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // The engine names itself the same way when the options name no model.
                    engines.Add(LocalFaceEngine.Open(models[i]));
                }

                return new LocalModelBackend(engines, Identity(engines, cancellationToken));
            }
            catch
            {
                foreach (var engine in engines) { engine.Dispose(); }
                throw;
            }
        }

        /// <summary>One line about an engine, for verbose output: what was loaded, from where, how it preprocesses.</summary>
        public static string Describe(LocalFaceEngine engine)
        {
            if (engine == null) { throw new ArgumentNullException(nameof(engine)); }
            var recognizer = engine.Recognizer;
            return string.Format(
                CultureInfo.InvariantCulture,
                "Local model '{0}'{10}: recogniser '{1}' (input '{2}' {3}x{3}, {4}{5}, {6} per call), detector '{7}' ({8}), landmarks {9}.",
                engine.ModelName,
                recognizer.ModelPath,
                recognizer.InputName,
                recognizer.InputSize,
                recognizer.Normalization + " (" + recognizer.NormalizationSource + ")",
                recognizer.EmbeddingLength > 0 ? ", " + recognizer.EmbeddingLength.ToString(CultureInfo.InvariantCulture) + "-d" : string.Empty,
                recognizer.MaxBatchSize,
                engine.Detector.DetectorPath,
                engine.Detector.LayoutDescription,
                engine.Detector.LandmarkPath == null ? "from the detector" : "'" + engine.Detector.LandmarkPath + "'",
                engine.Source == null ? string.Empty : " (" + engine.Source + ")");
        }

        /// <inheritdoc />
        public Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken) =>
            _inner.EmbedAsync(request, cancellationToken);

        public void Dispose() => _inner.Dispose();

        private static string Identity(IEnumerable<LocalFaceEngine> engines, CancellationToken cancellationToken)
        {
            var text = new StringBuilder("onnx:");
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var engine in engines.OrderBy(e => e.ModelName, StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                text.Append(engine.ModelName).Append('=')
                    .Append(Hash(engine.Recognizer.ModelPath, hashes)).Append('+')
                    .Append(Hash(engine.Detector.DetectorPath, hashes)).Append('+')
                    .Append(engine.Detector.LandmarkPath == null ? "-" : Hash(engine.Detector.LandmarkPath, hashes)).Append('+')
                    .Append(engine.Recognizer.Normalization);
                if (engine.Source != null) { text.Append('+').Append(engine.Source); }
                text.Append(';');
            }

            return text.ToString();
        }

        private static string Hash(string path, Dictionary<string, string> known)
        {
            if (known.TryGetValue(path, out var hash)) { return hash; }
            using (var sha = SHA256.Create())
            using (var stream = SharedFile.OpenRead(path, 1 << 16))
            {
                hash = BitConverter.ToString(sha.ComputeHash(stream)).Replace("-", string.Empty).ToLowerInvariant();
            }

            known[path] = hash;
            return hash;
        }
    }
}
