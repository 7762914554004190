using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The one check, shared by 1:1 and 1:N measurement, that a dataset names more than one person, and the diagnosis a
    /// user needs when it does not: which identity every image got and where it most likely came from. How to give
    /// identities names the cmdlets' parameters, so the cmdlets add it (as the error's recommended action).
    /// </summary>
    public static class IdentityCheck
    {
        /// <summary>
        /// Null when <paramref name="labels"/> (the identity of each image in <paramref name="images"/>) name at least two
        /// identities; otherwise why that is.
        /// </summary>
        public static string SingleIdentity(IReadOnlyList<FaceEmbedding> images, IReadOnlyList<string> labels)
        {
            if (images == null || labels == null || labels.Count == 0) { return null; }
            var distinct = labels.Select(l => l ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
            if (distinct.Count > 1) { return null; }
            return Describe(images, distinct[0]);
        }

        /// <summary>Where the one identity <paramref name="identity"/> of every image most likely came from.</summary>
        private static string Describe(IReadOnlyList<FaceEmbedding> images, string identity)
        {
            int n = images.Count;
            string all = n == 1 ? "The only image" : $"All {n} images";
            if (identity.Length == 0) { return $"{all} have no identity."; }
            if (images.All(e => string.Equals(FolderOf(e.Path), identity, StringComparison.Ordinal)))
            {
                return $"{all} {(n == 1 ? "has" : "have")} the identity '{identity}': the name of the folder they are in, which is where an identity comes from unless one is given.";
            }

            if (images.All(e => DatasetPaths.NormalizeKey(e.RelativePath ?? string.Empty).IndexOf('/') < 0))
            {
                return $"{all} {(n == 1 ? "has" : "have")} the identity '{identity}': most likely the name of the one folder the photos were in " +
                    "(New-FaceCrop gives each crop its photo's folder name), as a flat folder of photos gets one identity for everyone.";
            }

            return $"{all} {(n == 1 ? "has" : "have")} the identity '{identity}', as given with them (each embedding's Identity).";
        }

        private static string FolderOf(string path)
        {
            try
            {
                return string.IsNullOrEmpty(path) ? null : DatasetPaths.IdentityOf(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                return null;
            }
        }
    }
}
