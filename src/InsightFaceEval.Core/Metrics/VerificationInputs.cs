using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Stage (a) of a 1:1 measurement: one model's checked input, its pairs laid out as a <see cref="PairDesign"/>.
    /// Anything that can lay out pairs (embeddings by a protocol, a pair list, scored comparisons, templates, a subgroup
    /// of the images) can build one; scoring (<see cref="VerificationScorer"/>) and the results
    /// (<see cref="VerificationResults"/>) only see this.
    /// </summary>
    public sealed class VerificationInput
    {
        public VerificationInput(string model, string protocol, int dimension, PairDesign design, bool scoresGiven)
        {
            Model = model;
            Protocol = protocol;
            Dimension = dimension;
            Design = design ?? throw new ArgumentNullException(nameof(design));
            ScoresGiven = scoresGiven;
        }

        public string Model { get; }

        /// <summary>The protocol the results name (AllPairs, GalleryProbe, PairList, or the comparisons' own).</summary>
        public string Protocol { get; }

        /// <summary>Vector length; 0 when the scores came with the pairs and no vector was seen.</summary>
        public int Dimension { get; }

        public PairDesign Design { get; }

        /// <summary>The scores came with the pairs (FaceComparison input): there are no vectors to score.</summary>
        public bool ScoresGiven { get; }
    }

    /// <summary>The models measured together: identities and the common set span all of them.</summary>
    public sealed class VerificationInputSet
    {
        public VerificationInputSet(IReadOnlyList<VerificationInput> models, string[] identityNames)
        {
            Models = models;
            IdentityNames = identityNames;
        }

        public IReadOnlyList<VerificationInput> Models { get; }

        /// <summary>The name of each identity index of the designs.</summary>
        public string[] IdentityNames { get; }
    }

    /// <summary>
    /// Builds the stage (a) inputs from embeddings: the shared checks (<see cref="ModelInputs"/>), the gallery/probe split,
    /// one identity index over every model, the images every model embedded, and each model's pair design.
    /// </summary>
    public static class VerificationInputs
    {
        public static VerificationInputSet FromEmbeddings(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList,
            VerificationOptions options, ICollection<ModelProblem> problems, ICollection<string> notes, CancellationToken cancellationToken = default(CancellationToken))
        {
            options = options ?? new VerificationOptions();
            var checkedInputs = ModelInputs.Validate(models, options.NameComparer, true, problems, cancellationToken);
            var labelled = new List<Labelled>();
            foreach (var input in checkedInputs)
            {
                var item = new Labelled { Input = input, Images = input.Images };
                if (protocol == PairProtocol.GalleryProbe)
                {
                    item.Roles = input.Split(out var labels, out _, notes);
                    item.Labels = labels;
                }
                else
                {
                    item.Labels = input.Images.Select(e => e.Identity ?? string.Empty).ToArray();
                }

                labelled.Add(item);
            }

            // Identities and the common set span every model measured together.
            var identityIndex = IdentityIndex(labelled.SelectMany(r => r.Labels));
            var commonKeys = CommonKeys(labelled.Select(r => r.Images));
            var built = new List<VerificationInput>();
            foreach (var item in labelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var design = Design(item, protocol, pairList, identityIndex, commonKeys, options, problems);
                if (design != null) { built.Add(new VerificationInput(item.Input.Model, protocol.ToString(), item.Input.Dimension, design, false)); }
            }

            return new VerificationInputSet(built, Names(identityIndex));
        }

        /// <summary>One model's images with the label each is paired by (and, for GalleryProbe, its role).</summary>
        private sealed class Labelled
        {
            public ModelInput Input;
            public List<FaceEmbedding> Images;
            public string[] Labels;
            public ImageRole[] Roles;
        }

        private static PairDesign Design(Labelled item, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList, Dictionary<string, int> identityIndex, HashSet<string> commonKeys,
            VerificationOptions options, ICollection<ModelProblem> problems)
        {
            if (protocol == PairProtocol.PairList)
            {
                return PairListMatcher.Design(item.Input.Model, item.Images, item.Labels, pairList, identityIndex, commonKeys, options.NameComparer, options.Folds, problems);
            }

            if (protocol == PairProtocol.GalleryProbe)
            {
                var keep = Enumerable.Range(0, item.Images.Count).Where(i => item.Roles[i] != ImageRole.Ignored).ToList();
                var images = keep.Select(i => item.Images[i]).ToList();
                var labels = keep.Select(i => item.Labels[i]).ToArray();
                var gallery = keep.Select(i => item.Roles[i] == ImageRole.Gallery).ToArray();
                return new GalleryProbeDesign(images, labels.Select(l => identityIndex[l]).ToArray(), CommonFlags(images, commonKeys), gallery, options.Folds);
            }

            return new AllPairsDesign(item.Images, item.Labels.Select(l => identityIndex[l]).ToArray(), CommonFlags(item.Images, commonKeys), options.Folds);
        }

        /// <summary>The name of each identity index.</summary>
        internal static string[] Names(Dictionary<string, int> identityIndex)
        {
            var names = new string[identityIndex.Count];
            foreach (var kv in identityIndex) { names[kv.Value] = kv.Key; }
            return names;
        }

        /// <summary>One index per distinct label, in ordinal order of the labels.</summary>
        internal static Dictionary<string, int> IdentityIndex(IEnumerable<string> labels)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var label in labels.Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal)) { index[label] = index.Count; }
            return index;
        }

        /// <summary>The normalised keys of the images every model embedded.</summary>
        internal static HashSet<string> CommonKeys(IEnumerable<IReadOnlyList<FaceEmbedding>> models)
        {
            HashSet<string> common = null;
            foreach (var images in models)
            {
                var keys = new HashSet<string>(images.Where(e => e.Status == EmbeddingStatus.Success).Select(e => DatasetPaths.NormalizeKey(e.RelativePath)), StringComparer.Ordinal);
                if (common == null) { common = keys; } else { common.IntersectWith(keys); }
            }

            return common ?? new HashSet<string>();
        }

        internal static bool[] CommonFlags(IReadOnlyList<FaceEmbedding> images, HashSet<string> commonKeys) =>
            images.Select(e => e.Status == EmbeddingStatus.Success && commonKeys.Contains(DatasetPaths.NormalizeKey(e.RelativePath))).ToArray();
    }
}
