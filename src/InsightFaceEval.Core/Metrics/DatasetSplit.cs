using System;
using System.Collections.Generic;
using System.IO;

namespace InsightFaceEval.Metrics
{
    public enum ImageRole
    {
        Gallery,
        Probe,

        /// <summary>A probe of someone not enrolled (root/unknown): open-set, never genuine.</summary>
        Unknown,

        /// <summary>Outside the 1:N folders: left out.</summary>
        Ignored,
    }

    /// <summary>
    /// Gallery/probe roles (metrics.md, "Dataset layouts"): the 1:N folders root/gallery/&lt;identity&gt;/...,
    /// root/probe/&lt;identity&gt;/..., root/unknown/...; otherwise the auto split of identity folders, where the file whose
    /// name contains "gallery" (else the first in sorted order) is the identity's gallery image and the rest are probes.
    /// </summary>
    public static class DatasetSplit
    {
        public const string FoldersLayout = "Folders";
        public const string AutoSplitLayout = "AutoSplit";

        /// <param name="images">Images sorted by relative path.</param>
        /// <param name="identities">Identity label of each image (1:N folders: the folder below gallery/ or probe/; unknown/ images get a label of their own).</param>
        public static ImageRole[] Split(IReadOnlyList<FaceEmbedding> images, out string[] identities, out string layout)
        {
            var roles = new ImageRole[images.Count];
            identities = new string[images.Count];
            bool folders = false;
            foreach (var image in images)
            {
                var key = DatasetPaths.NormalizeKey(image.RelativePath);
                if (key.StartsWith("gallery/", StringComparison.OrdinalIgnoreCase)) { folders = true; break; }
            }

            if (folders)
            {
                layout = FoldersLayout;
                for (int i = 0; i < images.Count; i++)
                {
                    var parts = DatasetPaths.NormalizeKey(images[i].RelativePath).Split('/');
                    var top = parts[0].ToLowerInvariant();
                    if ((top == "gallery" || top == "probe") && parts.Length >= 3)
                    {
                        roles[i] = top == "gallery" ? ImageRole.Gallery : ImageRole.Probe;
                        identities[i] = parts[1];
                    }
                    else if (top == "unknown" && parts.Length >= 2)
                    {
                        roles[i] = ImageRole.Unknown;
                        // Its own path: never equal to a folder name (no '/'), and readable where a comparison shows it.
                        identities[i] = DatasetPaths.NormalizeKey(images[i].RelativePath);
                    }
                    else
                    {
                        roles[i] = ImageRole.Ignored;
                        identities[i] = images[i].Identity ?? string.Empty;
                    }
                }

                return roles;
            }

            layout = AutoSplitLayout;
            var galleryOf = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < images.Count; i++)
            {
                var id = images[i].Identity ?? string.Empty;
                identities[i] = id;
                roles[i] = ImageRole.Probe;
                bool named = Path.GetFileName(images[i].RelativePath).IndexOf("gallery", StringComparison.OrdinalIgnoreCase) >= 0;
                if (!galleryOf.TryGetValue(id, out var current))
                {
                    galleryOf[id] = i;
                }
                else if (named && Path.GetFileName(images[current].RelativePath).IndexOf("gallery", StringComparison.OrdinalIgnoreCase) < 0)
                {
                    galleryOf[id] = i;
                }
            }

            foreach (var g in galleryOf.Values) { roles[g] = ImageRole.Gallery; }
            return roles;
        }
    }
}
