using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>
    /// The model allow-list: each accepted model name and the <see cref="IFaceEmbedder"/> that answers for it.
    /// Anything not listed is refused with a 4xx, as the hosted service refuses models an MOU does not list.
    /// </summary>
    public sealed class EmbedderRegistry : IDisposable
    {
        private readonly Dictionary<string, IFaceEmbedder> _embedders = new Dictionary<string, IFaceEmbedder>(StringComparer.Ordinal);

        /// <summary>Builds the registry from <c>--models name=spec,...</c>.</summary>
        public static EmbedderRegistry Create(IReadOnlyDictionary<string, string> models)
        {
            var registry = new EmbedderRegistry();
            try
            {
                foreach (var (name, spec) in models)
                {
                    registry._embedders[name] = CreateEmbedder(name, spec);
                }
            }
            catch
            {
                registry.Dispose();
                throw;
            }

            return registry;
        }

        /// <summary>
        /// Turns one model specification into an embedder. A number is the dimension of the deterministic stand-in.
        /// A path ending in ".onnx" is a real recognition model (real-model mode, see <see cref="CreateOnnxEmbedder"/>).
        /// </summary>
        private static IFaceEmbedder CreateEmbedder(string name, string spec)
        {
            if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var dimension) && dimension > 0)
            {
                return new DeterministicFaceEmbedder(name, dimension);
            }

            var path = spec.Split(';')[0].Trim();
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                return CreateOnnxEmbedder(name, spec);
            }

            throw new ArgumentException($"Model '{name}': '{spec}' is neither a dimension (a positive whole number) nor an ONNX recognition model (a path ending in .onnx).");
        }

        /// <summary>
        /// <c>recogniser.onnx[;option=value...]</c>: the local face engine over that recogniser, so the endpoint detects,
        /// aligns and embeds as the hosted service does. The detector and landmark model are fr_detect.onnx and
        /// fr_landmark.onnx beside the recogniser when present, else the defaults staged beside the endpoint
        /// (<see cref="DefaultModels"/>). Options: <c>normalization=insightface|faceplugin</c> (the recogniser's pixel
        /// preset, default insightface), <c>detector=path</c>, <c>landmark=path</c>, and <c>jpeg=1..100</c>, which makes
        /// the model see every upload only after a JPEG re-encode at that quality (a degraded model behind a known name).
        /// </summary>
        internal static IFaceEmbedder CreateOnnxEmbedder(string name, string spec)
        {
            var parts = spec.Split(';');
            var recognizer = Path.GetFullPath(parts[0].Trim());
            if (!File.Exists(recognizer)) { throw new ArgumentException($"Model '{name}': the recognition model '{recognizer}' does not exist."); }

            var folder = Path.GetDirectoryName(recognizer);
            string Beside(string file) => File.Exists(Path.Combine(folder, file)) ? Path.Combine(folder, file) : null;
            var options = new LocalFaceEngineOptions
            {
                RecognizerPath = recognizer,
                ModelName = name,
                DetectorPath = Beside(DefaultModels.DetectorFileName),
                LandmarkPath = Beside(DefaultModels.LandmarkFileName),
            };
            int? jpegQuality = null;
            foreach (var option in parts.Skip(1).Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                var eq = option.IndexOf('=');
                var key = eq > 0 ? option.Substring(0, eq).Trim().ToLowerInvariant() : option;
                var value = eq > 0 ? option.Substring(eq + 1).Trim() : string.Empty;
                switch (key)
                {
                    case "jpeg" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var quality) && quality >= 1 && quality <= 100:
                        jpegQuality = quality;
                        break;
                    case "normalization" when PixelNormalization.PresetNames.Contains(value, StringComparer.OrdinalIgnoreCase):
                        options.Normalization = PixelNormalization.FromPreset(value);
                        break;
                    case "detector" when value.Length > 0:
                        options.DetectorPath = Path.GetFullPath(value);
                        break;
                    case "landmark" when value.Length > 0:
                        options.LandmarkPath = Path.GetFullPath(value);
                        break;
                    default:
                        throw new ArgumentException(
                            $"Model '{name}': '{option}' is not an option of an ONNX model. Known: jpeg=1..100, " +
                            $"normalization={string.Join("|", PixelNormalization.PresetNames)}, detector=<path>, landmark=<path>.");
                }
            }

            IFaceEmbedder engine;
            try
            {
                engine = LocalFaceEngine.Open(options);
            }
            catch (Exception ex) when (ex is OnnxModelException || ex is OnnxRuntimeUnavailableException)
            {
                throw new ArgumentException($"Model '{name}': {ex.Message}", ex);
            }

            return jpegQuality.HasValue ? new JpegReencodingEmbedder(engine, jpegQuality.Value, name) : engine;
        }

        public bool TryGet(string model, out IFaceEmbedder embedder) => _embedders.TryGetValue(model, out embedder);

        public IEnumerable<string> Names => _embedders.Keys;

        public void Dispose()
        {
            foreach (var embedder in _embedders.Values) { embedder.Dispose(); }
        }
    }
}
