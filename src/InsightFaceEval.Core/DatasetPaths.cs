using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval
{
    /// <summary>Dataset-relative paths and identities, shared by every stage so pair lists match.</summary>
    public static class DatasetPaths
    {
        /// <summary>The deepest folder that contains every file (the folder itself for one file).</summary>
        public static string CommonParent(IEnumerable<string> filePaths) => CommonParent(filePaths, PathStyle.Current);

        /// <summary>The deepest folder that contains every file, for paths of <paramref name="style"/>.</summary>
        public static string CommonParent(IEnumerable<string> filePaths, PathStyle style)
        {
            string common = null;
            foreach (var file in filePaths)
            {
                var dir = style.DirectoryName(style.Full(file));
                if (common == null)
                {
                    common = dir;
                    continue;
                }

                while (!style.IsUnder(dir, common))
                {
                    var parent = style.DirectoryName(common);
                    if (parent == null) { return common; }
                    common = parent;
                }
            }

            return common;
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it.</summary>
        public static bool IsUnder(string path, string folder) => IsUnder(path, folder, PathStyle.Current);

        /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it, for paths of <paramref name="style"/>.</summary>
        public static bool IsUnder(string path, string folder, PathStyle style) => style.IsUnder(style.Full(path), style.Full(folder));

        /// <summary>
        /// '/'-separated path of <paramref name="path"/> relative to <paramref name="root"/>;
        /// the file name alone when the file is not under the root.
        /// </summary>
        public static string Relative(string root, string path) => Relative(root, path, PathStyle.Current);

        /// <summary>As <see cref="Relative(string, string)"/>, for paths of <paramref name="style"/> (a drive root such as E:\ included).</summary>
        public static string Relative(string root, string path, PathStyle style)
        {
            var full = style.Full(path);
            if (string.IsNullOrEmpty(root) || !style.IsUnder(full, style.Full(root)))
            {
                return style.FileName(full);
            }

            var prefix = style.AsFolderPrefix(style.Full(root));
            var rel = full.Length > prefix.Length ? full.Substring(prefix.Length) : string.Empty;
            return rel.TrimStart(style.Separator, style.AltSeparator).Replace('\\', '/');
        }

        /// <summary>Normalises a pair-list entry ("a\\b.png", "./a/b.png") to the relative-key form.</summary>
        public static string NormalizeKey(string relativePath)
        {
            if (relativePath == null) { return null; }
            var key = relativePath.Trim().Replace('\\', '/');
            while (key.StartsWith("./", StringComparison.Ordinal)) { key = key.Substring(2); }
            return key.TrimStart('/');
        }

        /// <summary>The identity of an image in an identity-folder layout: its parent folder's name.</summary>
        public static string IdentityOf(string path) => IdentityOf(path, PathStyle.Current);

        /// <summary>The identity of an image, for paths of <paramref name="style"/>; empty for a file at a drive root.</summary>
        public static string IdentityOf(string path, PathStyle style)
        {
            var dir = style.DirectoryName(style.Full(path));
            return string.IsNullOrEmpty(dir) ? null : style.FileName(dir);
        }

        internal static IEnumerable<string> Distinct(IEnumerable<string> paths) => paths.Distinct(PathStyle.Current.Comparer);
    }
}
