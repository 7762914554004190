using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Matches a pair list's entries to one model's images: by the path relative to the dataset root (compared as the
    /// system compares file names), by a full path, or by the name without its extension when that is unique.
    /// The design holds only the images some matched pair uses.
    /// </summary>
    public static class PairListMatcher
    {
        /// <summary>The model's pair-list design; null when no pair of the list has both images (the problem is in <paramref name="problems"/>).</summary>
        public static PairListDesign Design(string model, IReadOnlyList<FaceEmbedding> modelImages, IReadOnlyList<string> modelLabels, IReadOnlyList<PairListEntry> pairList,
            Dictionary<string, int> identityIndex, HashSet<string> commonKeys, StringComparer nameComparer, int folds, ICollection<ModelProblem> problems)
        {
            // Pair-list keys compare as the system compares file names: 'Alice/1.png' names alice\1.png on Windows.
            var keyComparer = nameComparer ?? PathStyle.Current.Comparer;
            var byKey = new Dictionary<string, int>(keyComparer);
            var byStem = new Dictionary<string, int>(keyComparer);
            var byPath = new Dictionary<string, int>(PathStyle.Current.Comparer);
            for (int i = 0; i < modelImages.Count; i++)
            {
                var key = DatasetPaths.NormalizeKey(modelImages[i].RelativePath);
                byKey[key] = i;
                var stem = Stem(key);
                byStem[stem] = byStem.ContainsKey(stem) ? -1 : i;
                if (modelImages[i].Path != null) { byPath[modelImages[i].Path] = i; }
            }

            int Find(string entry)
            {
                var key = DatasetPaths.NormalizeKey(entry);
                if (byKey.TryGetValue(key, out var i)) { return i; }
                if (Path.IsPathRooted(entry) && byPath.TryGetValue(Path.GetFullPath(entry), out i)) { return i; }
                if (byStem.TryGetValue(Stem(key), out i) && i >= 0) { return i; }
                return -1;
            }

            var used = new Dictionary<int, int>();
            var images = new List<FaceEmbedding>();
            var labels = new List<string>();
            var left = new List<int>();
            var right = new List<int>();
            var genuine = new List<bool>();
            var missing = new HashSet<string>(keyComparer);
            int Use(int i)
            {
                if (!used.TryGetValue(i, out var d))
                {
                    d = images.Count;
                    used[i] = d;
                    images.Add(modelImages[i]);
                    labels.Add(modelLabels[i]);
                }

                return d;
            }

            foreach (var entry in pairList ?? Array.Empty<PairListEntry>())
            {
                int a = Find(entry.First), b = Find(entry.Second);
                if (a < 0 || b < 0)
                {
                    foreach (var name in new[] { a < 0 ? entry.First : null, b < 0 ? entry.Second : null })
                    {
                        if (name != null && missing.Add(name))
                        {
                            problems.Add(ModelProblem.NotFound(model, "PairImageNotFound",
                                $"Pair list line {entry.Line}: no '{model}' embedding for '{name}' (matched by path relative to the dataset root); its pairs are left out.", name, false));
                        }
                    }

                    continue;
                }

                left.Add(Use(a));
                right.Add(Use(b));
                genuine.Add(entry.Genuine);
            }

            if (left.Count == 0)
            {
                problems.Add(ModelProblem.NotFound(model, "NoPairs", $"No pair of the list has both images embedded by '{model}'.", model, true));
                return null;
            }

            return new PairListDesign("PairList", images, labels.Select(l => identityIndex[l]).ToArray(), VerificationInputs.CommonFlags(images, commonKeys),
                left.ToArray(), right.ToArray(), genuine.ToArray(), null, null, null, folds);
        }

        private static string Stem(string key)
        {
            int slash = key.LastIndexOf('/');
            int dot = key.LastIndexOf('.');
            return dot > slash ? key.Substring(0, dot) : key;
        }
    }
}
