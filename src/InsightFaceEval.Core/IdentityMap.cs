using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;

namespace InsightFaceEval
{
    /// <summary>One row of an identity map: an image (and optionally one face box in it) and the identity of the person.</summary>
    public sealed class IdentityMapEntry
    {
        internal IdentityMapEntry(string path, string fullPath, string identity, FaceDetection box, int line)
        {
            Path = path;
            FullPath = fullPath;
            Identity = identity;
            Box = box;
            Line = line;
        }

        /// <summary>The path as written in the CSV.</summary>
        public string Path { get; }

        /// <summary>The path resolved against the CSV's folder.</summary>
        public string FullPath { get; }

        public string Identity { get; }

        /// <summary>The face this row names (x, y, width, height in upright-image pixels), or null for every face of the image.</summary>
        public FaceDetection Box { get; }

        /// <summary>1-based line in the CSV.</summary>
        public int Line { get; }

        /// <summary>True once an input matched this row.</summary>
        public bool Used { get; internal set; }
    }

    /// <summary>
    /// Identities from a CSV (columns path, identity; optional x, y, width, height naming one face of a photo), for
    /// datasets whose folders do not say who is who. The one place the file is read and inputs are matched:
    /// <list type="number">
    /// <item>A row matches an input whose full path equals the row's path (relative paths are taken from the CSV's folder).</item>
    /// <item>Otherwise a row whose path is relative matches an input whose dataset-relative path equals it ('/' or '\', a leading './' ignored).</item>
    /// <item>Among the rows of one image, an input with a face box (New-FaceCrop) takes the row whose box overlaps it most,
    /// with intersection over union at least <see cref="MinimumOverlap"/>, else the image's row without a box. An input without
    /// a box (a crop file, an embedding) takes only a row without a box.</item>
    /// </list>
    /// Paths compare case-insensitively on Windows and exactly elsewhere. A path listed twice without a box, with two
    /// different identities, is an error in the file.
    /// </summary>
    public sealed class IdentityMap
    {
        /// <summary>Least intersection over union for a row's box to name a detected face (tolerates small drift between detector runs).</summary>
        public const double MinimumOverlap = 0.5;

        private static readonly StringComparer PathComparer = System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        private readonly Dictionary<string, List<IdentityMapEntry>> byFullPath = new Dictionary<string, List<IdentityMapEntry>>(PathComparer);
        private readonly Dictionary<string, List<IdentityMapEntry>> byRelativePath = new Dictionary<string, List<IdentityMapEntry>>(PathComparer);

        private IdentityMap(string source, List<IdentityMapEntry> entries)
        {
            Source = source;
            Entries = entries;
            foreach (var e in entries)
            {
                Add(byFullPath, e.FullPath, e);
                if (!System.IO.Path.IsPathRooted(e.Path)) { Add(byRelativePath, DatasetPaths.NormalizeKey(e.Path), e); }
            }
        }

        /// <summary>The CSV the map came from.</summary>
        public string Source { get; }

        public IReadOnlyList<IdentityMapEntry> Entries { get; }

        /// <summary>Reads a map; relative paths in it are taken from the CSV's folder.</summary>
        /// <exception cref="FormatException">The file is not a path,identity CSV.</exception>
        public static IdentityMap Load(string csvPath)
        {
            var full = System.IO.Path.GetFullPath(csvPath);
            return Parse(File.ReadAllText(full, Encoding.UTF8), System.IO.Path.GetDirectoryName(full), full);
        }

        /// <summary>Parses map text; <paramref name="baseFolder"/> is where relative paths start.</summary>
        public static IdentityMap Parse(string csv, string baseFolder, string source)
        {
            var rows = DetectionFile.CsvRows(csv).Where(r => r.Count > 1 || (r.Count == 1 && r[0].Trim().Length > 0)).ToList();
            var name = System.IO.Path.GetFileName(source);
            if (rows.Count == 0) { throw new FormatException($"The identity map '{name}' is empty: it needs a header row 'path,identity' and one row per image."); }
            var header = rows[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
            int pathCol = header.IndexOf("path"), idCol = header.IndexOf("identity");
            if (pathCol < 0 || idCol < 0)
            {
                throw new FormatException($"The identity map '{name}' needs the columns 'path' and 'identity' in its header row; it has: {string.Join(", ", header)}.");
            }

            int[] boxCols = { header.IndexOf("x"), header.IndexOf("y"), header.IndexOf("width"), header.IndexOf("height") };
            bool hasBox = boxCols.All(c => c >= 0);
            if (!hasBox && boxCols.Any(c => c >= 0)) { throw new FormatException($"The identity map '{name}' names a face box with all four columns x, y, width and height, or none."); }

            var entries = new List<IdentityMapEntry>();
            var plain = new Dictionary<string, IdentityMapEntry>(PathComparer);
            for (int r = 1; r < rows.Count; r++)
            {
                var row = rows[r];
                string Cell(int c) => c < row.Count ? row[c].Trim() : string.Empty;
                var where = $"'{name}' line {r + 1}";
                var path = Cell(pathCol);
                var identity = Cell(idCol);
                if (path.Length == 0) { throw new FormatException($"Identity map {where}: the path is empty."); }
                if (identity.Length == 0) { throw new FormatException($"Identity map {where}: '{path}' has no identity."); }
                FaceDetection box = null;
                if (hasBox && boxCols.Any(c => Cell(c).Length > 0))
                {
                    var v = boxCols.Select(c => Number(Cell(c), where)).ToArray();
                    if (!(v[2] > 0 && v[3] > 0)) { throw new FormatException($"Identity map {where}: the box of '{path}' needs a positive width and height."); }
                    box = new FaceDetection(v[0], v[1], v[2], v[3]);
                }

                string full;
                try
                {
                    full = System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(baseFolder ?? string.Empty, path));
                }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
                {
                    throw new FormatException($"Identity map {where}: '{path}' is not a valid path.", ex);
                }

                var entry = new IdentityMapEntry(path, full, identity, box, r + 1);
                if (box == null)
                {
                    if (plain.TryGetValue(full, out var earlier))
                    {
                        if (!string.Equals(earlier.Identity, identity, StringComparison.Ordinal))
                        {
                            throw new FormatException($"Identity map {where}: '{path}' is listed as '{identity}' here and as '{earlier.Identity}' on line {earlier.Line}.");
                        }

                        continue;
                    }

                    plain[full] = entry;
                }

                entries.Add(entry);
            }

            return new IdentityMap(source, entries);
        }

        /// <summary>
        /// The identity of an input (an image, a crop or an embedding), or null when no row matches it.
        /// <paramref name="face"/>: the face box in the image, for inputs that are faces of a photo.
        /// </summary>
        public string Find(string fullPath, string relativePath, FaceDetection face = null)
        {
            List<IdentityMapEntry> rows = null;
            var full = FullPathOrNull(fullPath);
            if (full != null) { byFullPath.TryGetValue(full, out rows); }
            if (rows == null && !string.IsNullOrEmpty(relativePath)) { byRelativePath.TryGetValue(DatasetPaths.NormalizeKey(relativePath), out rows); }
            if (rows == null) { return null; }
            IdentityMapEntry best = null;
            if (face != null)
            {
                double bestOverlap = 0;
                foreach (var row in rows.Where(e => e.Box != null))
                {
                    var overlap = Overlap(row.Box, face);
                    if (overlap >= MinimumOverlap && overlap > bestOverlap)
                    {
                        best = row;
                        bestOverlap = overlap;
                    }
                }
            }

            best = best ?? rows.FirstOrDefault(e => e.Box == null);
            if (best == null) { return null; }
            best.Used = true;
            return best.Identity;
        }

        /// <summary>Rows no input has matched so far.</summary>
        public IReadOnlyList<IdentityMapEntry> Unused() => Entries.Where(e => !e.Used).ToList();

        /// <summary>What to tell the user about rows that matched no input (null when every row matched).</summary>
        public string UnusedMessage()
        {
            var unused = Unused();
            if (unused.Count == 0) { return null; }
            var first = string.Join(", ", unused.Take(3).Select(e => e.Box == null ? $"'{e.Path}' (line {e.Line})" : $"'{e.Path}' box {e.Box} (line {e.Line})"));
            return $"{unused.Count} of the {Entries.Count} rows of the identity map '{System.IO.Path.GetFileName(Source)}' matched no input{(unused.Count > 3 ? ", among them " : ": ")}{first}.";
        }

        /// <summary>The message for an input no row matches.</summary>
        public string NotMappedMessage(string input, FaceDetection face = null) =>
            $"The identity map '{System.IO.Path.GetFileName(Source)}' has no row for '{input}'{(face == null ? string.Empty : " face " + face)}, so its identity is unknown and it is left out. " +
            "Add a row (path,identity, matched by full path, then by path relative to the dataset)" + (face == null ? "." : " or a row with the face's box (x, y, width, height).");

        /// <summary>Intersection over union of two boxes.</summary>
        public static double Overlap(FaceDetection a, FaceDetection b)
        {
            double w = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
            double h = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
            if (w <= 0 || h <= 0) { return 0; }
            double inter = w * h;
            return inter / (a.Area + b.Area - inter);
        }

        // An embedding's recorded path may be anything a store holds: one that is not a valid path matches by relative path only.
        private static string FullPathOrNull(string path)
        {
            if (string.IsNullOrEmpty(path)) { return null; }
            try
            {
                return System.IO.Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Security.SecurityException)
            {
                return null;
            }
        }

        private static double Number(string text, string where)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsNaN(v) && !double.IsInfinity(v)) { return v; }
            throw new FormatException($"Identity map {where}: '{text}' is not a number.");
        }

        private static void Add(Dictionary<string, List<IdentityMapEntry>> index, string key, IdentityMapEntry e)
        {
            if (!index.TryGetValue(key, out var list)) { index[key] = list = new List<IdentityMapEntry>(); }
            list.Add(e);
        }
    }
}
