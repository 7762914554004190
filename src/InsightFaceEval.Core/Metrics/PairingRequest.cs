using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The protocols that pair embeddings by themselves, without a pair list (the -Protocol values); each is the
    /// <see cref="PairProtocol"/> of the same name and value.
    /// </summary>
    public enum EmbeddingProtocol
    {
        /// <summary>Every pair of images; genuine when both have the same identity.</summary>
        AllPairs = PairProtocol.AllPairs,

        /// <summary>Each probe against each gallery image (root/gallery + root/probe folders, or one gallery image per identity).</summary>
        GalleryProbe = PairProtocol.GalleryProbe,
    }

    /// <summary>Items of several models, grouped by model name (exact, ordinal) in order of first appearance.</summary>
    public static class ModelGroups
    {
        public static List<KeyValuePair<string, List<T>>> Of<T>(IEnumerable<T> items, Func<T, string> model) =>
            items.Where(i => i != null).GroupBy(model, StringComparer.Ordinal).Select(g => new KeyValuePair<string, List<T>>(g.Key, g.ToList())).ToList();
    }

    /// <summary>
    /// What Compare-FaceEmbedding and Measure-FaceVerification collect before pairing embeddings: the protocol, the pair
    /// list it needs (read once, up front), and the embeddings, grouped by model when the pairing starts.
    /// </summary>
    public sealed class PairingRequest
    {
        private readonly List<FaceEmbedding> embeddings = new List<FaceEmbedding>();
        private List<PairListEntry> pairList;

        public PairingRequest(PairProtocol protocol)
        {
            Protocol = protocol;
        }

        public PairingRequest(EmbeddingProtocol protocol)
            : this((PairProtocol)protocol)
        {
        }

        public PairProtocol Protocol { get; }

        /// <summary>The pair list's entries (protocol PairList), or null before <see cref="ReadPairList"/>.</summary>
        public IReadOnlyList<PairListEntry> PairList => pairList;

        /// <summary>Embeddings added so far (the models not yet grouped).</summary>
        public int Count => embeddings.Count;

        /// <summary>
        /// Reads the pair list at <paramref name="path"/> (an existing file: the caller resolves the path). Null when it
        /// reads; otherwise the terminating problem InvalidPairList (ill-formed) or PairListUnreadable (I/O), with the path as target.
        /// </summary>
        /// <param name="templatePairs">The file lists template pairs (IJB's template1 template2 label), not image pairs.</param>
        public Problem ReadPairList(string path, bool templatePairs = false)
        {
            try
            {
                pairList = templatePairs ? Templates.TemplatePairListReader.Read(path) : PairListReader.Read(path);
                return null;
            }
            catch (FormatException ex)
            {
                return new Problem("InvalidPairList", ProblemCategory.InvalidData, ex, path, true);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return new Problem("PairListUnreadable", ProblemCategory.ReadError, ex, path, true);
            }
        }

        /// <summary>Uses <paramref name="entries"/> as the pair list (an in-memory list, a test).</summary>
        public void UsePairList(IEnumerable<PairListEntry> entries) => pairList = entries?.ToList();

        public void Add(IEnumerable<FaceEmbedding> items)
        {
            if (items != null) { embeddings.AddRange(items.Where(e => e != null)); }
        }

        /// <summary>The embeddings grouped by model, in order of each model's first embedding.</summary>
        public List<KeyValuePair<string, List<FaceEmbedding>>> ByModel() => ModelGroups.Of(embeddings, e => e.Model);
    }
}
