using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Builds the stage (a) inputs from FaceComparison objects grouped by model (their scores are used as given). A
    /// model's images are the distinct ones its comparisons name (by relative path), each a failure to acquire when a
    /// comparison says that side had no face, so FTA, the identities and the bootstrap see what embedding input on the
    /// same data sees.
    /// </summary>
    public static class ComparisonInputs
    {
        public static VerificationInputSet FromComparisons(IReadOnlyList<KeyValuePair<string, List<FaceComparison>>> models, VerificationOptions options,
            ICollection<ModelProblem> problems, ICollection<string> warnings)
        {
            options = options ?? new VerificationOptions();
            var usable = new List<KeyValuePair<string, List<FaceComparison>>>();
            foreach (var model in models)
            {
                var bad = model.Value.FirstOrDefault(c => !ValidSimilarity(c.Similarity));
                if (bad != null)
                {
                    int count = model.Value.Count(c => !ValidSimilarity(c.Similarity));
                    problems.Add(ModelProblem.InvalidData(model.Key, "InvalidSimilarity",
                        $"Model '{model.Key}': {count} comparison(s) have a similarity that is not a number in [-1, 1] (first: {bad.ReferenceRelativePath} vs {bad.DifferenceRelativePath} = {bad.Similarity.ToString(CultureInfo.InvariantCulture)}), so no metric is meaningful.", bad, true));
                    continue;
                }

                var sized = model.Value.Where(c => c.Dimension > 0).ToList();
                var odd = sized.FirstOrDefault(c => c.Dimension != sized[0].Dimension);
                if (odd != null)
                {
                    problems.Add(ModelProblem.InvalidData(model.Key, "DimensionMismatch",
                        $"Model '{model.Key}' has comparisons of embeddings of different lengths ({sized[0].Dimension} for '{sized[0].ReferenceRelativePath}' vs '{sized[0].DifferenceRelativePath}', {odd.Dimension} for '{odd.ReferenceRelativePath}' vs '{odd.DifferenceRelativePath}'): they cannot come from one model. Measure them under different model names.", odd, true));
                    continue;
                }

                var labelled = new List<FaceComparison>();
                foreach (var c in model.Value)
                {
                    if (c.IsGenuine.HasValue) { labelled.Add(c); continue; }
                    problems.Add(ModelProblem.InvalidData(model.Key, "UnlabelledComparison", $"'{c.ReferenceRelativePath}' vs '{c.DifferenceRelativePath}' ({model.Key}) is neither genuine nor impostor (no identities or label); it is left out.", c, false));
                }

                usable.Add(new KeyValuePair<string, List<FaceComparison>>(model.Key, labelled));
            }

            var identityIndex = VerificationInputs.IdentityIndex(usable.SelectMany(m => m.Value.SelectMany(c => new[] { c.ReferenceIdentity ?? string.Empty, c.DifferenceIdentity ?? string.Empty })));
            var completedEverywhere = CommonPairs(usable);
            var inputs = new List<VerificationInput>();
            foreach (var model in usable)
            {
                var images = ImagesOf(model.Key, model.Value, warnings, out var left, out var right);
                var pairs = model.Value;
                var genuine = new bool[pairs.Count];
                var scores = new float[pairs.Count];
                var completed = new bool[pairs.Count];
                var common = new bool[pairs.Count];
                for (int p = 0; p < pairs.Count; p++)
                {
                    var c = pairs[p];
                    genuine[p] = c.IsGenuine.Value;
                    completed[p] = c.Status == ComparisonStatus.Completed;
                    scores[p] = completed[p] ? (float)c.Similarity : -1f;
                    common[p] = completed[p] && completedEverywhere.Contains(PairKey(c));
                }

                var protocols = pairs.Select(c => c.Protocol).Distinct(StringComparer.Ordinal).ToList();
                var design = new PairListDesign("Comparisons", images, images.Select(e => identityIndex[e.Identity ?? string.Empty]).ToArray(), new bool[images.Count],
                    left, right, genuine, scores, completed, common, options.Folds);
                inputs.Add(new VerificationInput(model.Key, protocols.Count == 1 && !string.IsNullOrEmpty(protocols[0]) ? protocols[0] : "Comparisons",
                    pairs.Select(c => c.Dimension).DefaultIfEmpty(0).Max(), design, true));
            }

            // An image is common when every model embedded it, as with embedding input.
            var commonKeys = VerificationInputs.CommonKeys(inputs.Select(r => r.Design.Images));
            foreach (var input in inputs)
            {
                var design = input.Design;
                for (int i = 0; i < design.Images.Count; i++)
                {
                    design.Common[i] = design.Completed[i] && commonKeys.Contains(DatasetPaths.NormalizeKey(design.Images[i].RelativePath));
                }
            }

            return new VerificationInputSet(inputs, VerificationInputs.Names(identityIndex));
        }

        private static bool ValidSimilarity(double s) => !double.IsNaN(s) && !double.IsInfinity(s) && s >= -1 && s <= 1;

        /// <summary>
        /// The distinct images of one model's comparisons, in order of first appearance, each failed when any comparison
        /// says its side had no face; <paramref name="left"/> and <paramref name="right"/> index them per comparison.
        /// </summary>
        private static List<FaceEmbedding> ImagesOf(string model, List<FaceComparison> pairs, ICollection<string> warnings, out int[] left, out int[] right)
        {
            var keys = new List<string>();
            var first = new List<FaceComparison>();
            var firstIsReference = new List<bool>();
            var seen = new List<int>(); // 1: embedded in some comparison, 2: no face in some comparison
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            int ImageOf(FaceComparison c, bool reference)
            {
                var relative = reference ? c.ReferenceRelativePath ?? c.ReferencePath : c.DifferenceRelativePath ?? c.DifferencePath;
                var key = DatasetPaths.NormalizeKey(relative);
                bool noFace = (reference ? c.ReferenceStatus : c.DifferenceStatus) != EmbeddingStatus.Success;
                if (!index.TryGetValue(key, out var i))
                {
                    i = keys.Count;
                    index[key] = i;
                    keys.Add(key);
                    first.Add(c);
                    firstIsReference.Add(reference);
                    seen.Add(0);
                }

                seen[i] |= noFace ? 2 : 1;
                return i;
            }

            left = new int[pairs.Count];
            right = new int[pairs.Count];
            for (int p = 0; p < pairs.Count; p++)
            {
                left[p] = ImageOf(pairs[p], true);
                right[p] = ImageOf(pairs[p], false);
            }

            var conflicts = Enumerable.Range(0, keys.Count).Where(i => seen[i] == 3).ToList();
            if (conflicts.Count > 0)
            {
                warnings.Add($"{model}: {conflicts.Count} image(s) (first '{keys[conflicts[0]]}') had a face in some comparisons and none in others, so the comparisons come from different extractions; such images count as failures to acquire.");
            }

            var images = new List<FaceEmbedding>(keys.Count);
            for (int i = 0; i < keys.Count; i++)
            {
                var c = first[i];
                bool reference = firstIsReference[i];
                var path = reference ? c.ReferencePath : c.DifferencePath;
                var relative = reference ? c.ReferenceRelativePath : c.DifferenceRelativePath;
                images.Add(new FaceEmbedding(path ?? relative ?? keys[i], relative ?? keys[i], reference ? c.ReferenceIdentity : c.DifferenceIdentity, model, null,
                    (seen[i] & 2) != 0 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false));
            }

            return images;
        }

        private static string PairKey(FaceComparison c)
        {
            var a = DatasetPaths.NormalizeKey(c.ReferenceRelativePath ?? c.ReferencePath);
            var b = DatasetPaths.NormalizeKey(c.DifferenceRelativePath ?? c.DifferencePath);
            return string.CompareOrdinal(a, b) <= 0 ? a + "\n" + b : b + "\n" + a;
        }

        private static HashSet<string> CommonPairs(List<KeyValuePair<string, List<FaceComparison>>> models)
        {
            HashSet<string> common = null;
            foreach (var model in models)
            {
                var keys = new HashSet<string>(model.Value.Where(c => c.Status == ComparisonStatus.Completed).Select(PairKey), StringComparer.Ordinal);
                if (common == null) { common = keys; } else { common.IntersectWith(keys); }
            }

            return common ?? new HashSet<string>();
        }
    }
}
