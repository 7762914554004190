using System;
using System.IO;

namespace InsightFaceEval
{
    /// <summary>
    /// How one operating system spells and compares paths and names: its separators and whether case matters.
    /// <see cref="Current"/> is this system's; tests pass <see cref="Windows"/> or <see cref="Unix"/> to check the
    /// other system's rules (drive roots, backslashes, case-insensitive names) on any machine.
    /// </summary>
    public sealed class PathStyle
    {
        /// <summary>Windows: '\' (and '/'), drive and UNC roots, names compare case-insensitively.</summary>
        public static readonly PathStyle Windows = new PathStyle('\\', '/', StringComparer.OrdinalIgnoreCase, StringComparison.OrdinalIgnoreCase);

        /// <summary>Linux and macOS: '/', one root, names compare case-sensitively.</summary>
        public static readonly PathStyle Unix = new PathStyle('/', '/', StringComparer.Ordinal, StringComparison.Ordinal);

        private PathStyle(char separator, char altSeparator, StringComparer comparer, StringComparison comparison)
        {
            Separator = separator;
            AltSeparator = altSeparator;
            Comparer = comparer;
            Comparison = comparison;
        }

        /// <summary>This system's style.</summary>
        public static PathStyle Current => Path.DirectorySeparatorChar == '\\' ? Windows : Unix;

        public char Separator { get; }

        public char AltSeparator { get; }

        /// <summary>How paths, model names and dataset keys compare on this system.</summary>
        public StringComparer Comparer { get; }

        /// <summary>The <see cref="StringComparison"/> of <see cref="Comparer"/>.</summary>
        public StringComparison Comparison { get; }

        private bool IsSeparator(char c) => c == Separator || c == AltSeparator;

        /// <summary>
        /// An absolute path in this style, separators unified. Only this system's paths are resolved against the
        /// current folder; another style's paths must already be absolute.
        /// </summary>
        public string Full(string path)
        {
            var full = ReferenceEquals(this, Current) ? Path.GetFullPath(path) : path;
            return AltSeparator == Separator ? full : full.Replace(AltSeparator, Separator);
        }

        /// <summary>Length of the root: "/" (1), "E:\" (3), "E:" (2), "\\server\share\" (to after the share).</summary>
        public int RootLength(string path)
        {
            if (string.IsNullOrEmpty(path)) { return 0; }
            if (Separator == '/') { return path[0] == '/' ? 1 : 0; }
            if (path.Length >= 2 && path[1] == ':' && char.IsLetter(path[0]))
            {
                return path.Length >= 3 && IsSeparator(path[2]) ? 3 : 2;
            }

            if (path.Length >= 2 && IsSeparator(path[0]) && IsSeparator(path[1]))
            {
                // \\server\share\ : skip the server and the share.
                var i = 2;
                for (var part = 0; part < 2 && i < path.Length; part++)
                {
                    while (i < path.Length && !IsSeparator(path[i])) { i++; }
                    if (i < path.Length) { i++; }
                }

                return i;
            }

            return IsSeparator(path[0]) ? 1 : 0;
        }

        /// <summary>The path without trailing separators, a root excepted ("E:\" and "/" stay as they are).</summary>
        public string TrimEnd(string path)
        {
            var root = RootLength(path);
            var end = path.Length;
            while (end > root && IsSeparator(path[end - 1])) { end--; }
            return end == path.Length ? path : path.Substring(0, end);
        }

        /// <summary>The folder of a full path (as Path.GetDirectoryName); null for a root.</summary>
        public string DirectoryName(string path)
        {
            if (string.IsNullOrEmpty(path)) { return null; }
            var root = RootLength(path);
            if (path.Length <= root) { return null; }
            var i = path.Length - 1;
            while (i >= root && !IsSeparator(path[i])) { i--; }
            if (i < root) { return path.Substring(0, root); }
            return TrimEnd(path.Substring(0, i + 1));
        }

        /// <summary>The last part of a path (as Path.GetFileName); empty for a root or a trailing separator.</summary>
        public string FileName(string path)
        {
            if (string.IsNullOrEmpty(path)) { return path; }
            var root = RootLength(path);
            var i = path.Length - 1;
            while (i >= root && !IsSeparator(path[i])) { i--; }
            return path.Substring(Math.Max(i + 1, root));
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it (both full).</summary>
        public bool IsUnder(string path, string folder)
        {
            var p = TrimEnd(path);
            var f = TrimEnd(folder);
            if (string.Equals(p, f, Comparison)) { return true; }
            return p.StartsWith(AsFolderPrefix(f), Comparison);
        }

        /// <summary>The folder with exactly one trailing separator ("E:\" stays "E:\", "E:" becomes "E:\", "/" stays "/").</summary>
        public string AsFolderPrefix(string folder)
        {
            var f = TrimEnd(folder);
            return f.Length > 0 && IsSeparator(f[f.Length - 1]) ? f : f + Separator;
        }
    }
}
