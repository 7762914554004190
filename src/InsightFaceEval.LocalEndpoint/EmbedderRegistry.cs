using System;
using System.Collections.Generic;
using System.Globalization;
using InsightFaceEval.Embedding;

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
            foreach (var (name, spec) in models)
            {
                registry._embedders[name] = CreateEmbedder(name, spec);
            }

            return registry;
        }

        /// <summary>
        /// Turns one model specification into an embedder. A number is the dimension of the deterministic stand-in.
        /// Real-model mode: recognise another kind of specification here (for example a path ending in ".onnx") and
        /// return the engine's <see cref="IFaceEmbedder"/>; nothing else in the endpoint changes.
        /// </summary>
        private static IFaceEmbedder CreateEmbedder(string name, string spec)
        {
            if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var dimension) && dimension > 0)
            {
                return new DeterministicFaceEmbedder(name, dimension);
            }

            throw new ArgumentException($"Model '{name}': '{spec}' is not a dimension (a positive whole number).");
        }

        public bool TryGet(string model, out IFaceEmbedder embedder) => _embedders.TryGetValue(model, out embedder);

        public IEnumerable<string> Names => _embedders.Keys;

        public void Dispose()
        {
            foreach (var embedder in _embedders.Values) { embedder.Dispose(); }
        }
    }
}
