using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval
{
    /// <summary>Dataset-relative paths and identities, shared by every stage so pair lists match.</summary>
    public static class DatasetPaths
    {
        private static readonly StringComparison PathComparison =
            Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        /// <summary>The deepest folder that contains every file (the folder itself for one file).</summary>
        public static string CommonParent(IEnumerable<string> filePaths)
        {
            string common = null;
            foreach (var file in filePaths)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(file));
                if (common == null)
                {
                    common = dir;
                    continue;
                }

                while (!IsUnder(dir, common))
                {
                    var parent = Path.GetDirectoryName(common);
                    if (parent == null) { return common; }
                    common = parent;
                }
            }

            return common;
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it.</summary>
        public static bool IsUnder(string path, string folder)
        {
            var p = TrimSeparator(Path.GetFullPath(path));
            var f = TrimSeparator(Path.GetFullPath(folder));
            if (p.Equals(f, PathComparison)) { return true; }
            return p.StartsWith(f + Path.DirectorySeparatorChar, PathComparison)
                || (f.EndsWith(":", StringComparison.Ordinal) && p.StartsWith(f, PathComparison));
        }

        /// <summary>
        /// '/'-separated path of <paramref name="path"/> relative to <paramref name="root"/>;
        /// the file name alone when the file is not under the root.
        /// </summary>
        public static string Relative(string root, string path)
        {
            var full = Path.GetFullPath(path);
            if (string.IsNullOrEmpty(root) || !IsUnder(full, root))
            {
                return Path.GetFileName(full);
            }

            var r = TrimSeparator(Path.GetFullPath(root));
            var rel = full.Substring(r.Length).TrimStart(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return rel.Replace('\\', '/');
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
        public static string IdentityOf(string path)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            return string.IsNullOrEmpty(dir) ? null : Path.GetFileName(dir);
        }

        private static string TrimSeparator(string p) =>
            p.Length > 1 && (p.EndsWith("/", StringComparison.Ordinal) || p.EndsWith("\\", StringComparison.Ordinal)) && !p.EndsWith(":\\", StringComparison.Ordinal)
                ? p.TrimEnd('/', '\\')
                : p;

        internal static IEnumerable<string> Distinct(IEnumerable<string> paths) =>
            paths.Distinct(Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
    }
}
