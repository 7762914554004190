using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using InsightFaceEval.IO;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Reads pair lists: CSV "image1_path,image2_path,label" (label 1 genuine, 0 impostor; header optional) and
    /// LFW pairs.txt ("name n1 n2" genuine, "name1 n1 name2 n2" impostor; an optional "folds pairs" first line).
    /// </summary>
    public static class PairListReader
    {
        public static List<PairListEntry> Read(string path)
        {
            var lines = SharedFile.ReadAllLines(path);
            return Parse(lines, path);
        }

        public static List<PairListEntry> Parse(IReadOnlyList<string> lines, string source)
        {
            int first = 0;
            while (first < lines.Count && string.IsNullOrWhiteSpace(lines[first])) { first++; }
            if (first == lines.Count) { throw new FormatException($"'{source}' has no pairs."); }
            bool csv = lines[first].IndexOf(',') >= 0;
            return csv ? ParseCsv(lines, source) : ParseLfw(lines, source);
        }

        private static List<PairListEntry> ParseCsv(IReadOnlyList<string> lines, string source) =>
            ParseLabelledRows(lines, source, SplitCsv, "image1_path,image2_path,label");

        /// <summary>
        /// Rows of two keys and a 0/1 label, split by <paramref name="split"/>; an optional header (a first row whose label
        /// is not a number) is skipped. The one rule for image pair lists and template pair lists.
        /// </summary>
        internal static List<PairListEntry> ParseLabelledRows(IReadOnlyList<string> lines, string source, Func<string, List<string>> split, string expected)
        {
            var pairs = new List<PairListEntry>();
            bool sawData = false;
            for (int i = 0; i < lines.Count; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0) { continue; }
                var fields = split(line);
                if (fields.Count != 3) { throw new FormatException($"{source}, line {i + 1}: expected {expected}, found {fields.Count} field(s)."); }
                var label = fields[2].Trim();
                if (label != "0" && label != "1")
                {
                    if (!sawData && !double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) { sawData = true; continue; } // header
                    throw new FormatException($"{source}, line {i + 1}: the label must be 1 (genuine) or 0 (impostor), found '{label}'.");
                }

                sawData = true;
                pairs.Add(new PairListEntry(fields[0].Trim(), fields[1].Trim(), label == "1", i + 1));
            }

            return pairs;
        }

        internal static List<string> SplitCsv(string line)
        {
            var fields = new List<string>();
            var current = new System.Text.StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                    else if (c == '"') { quoted = false; }
                    else { current.Append(c); }
                }
                else if (c == '"') { quoted = true; }
                else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
                else { current.Append(c); }
            }

            fields.Add(current.ToString());
            return fields;
        }

        private static List<PairListEntry> ParseLfw(IReadOnlyList<string> lines, string source)
        {
            var pairs = new List<PairListEntry>();
            for (int i = 0; i < lines.Count; i++)
            {
                var parts = lines[i].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) { continue; }
                if (pairs.Count == 0 && parts.Length == 2 && IsNumber(parts[0]) && IsNumber(parts[1])) { continue; } // "10 300"
                if (parts.Length == 3 && IsNumber(parts[1]) && IsNumber(parts[2]))
                {
                    pairs.Add(new PairListEntry(LfwPath(parts[0], parts[1]), LfwPath(parts[0], parts[2]), true, i + 1));
                }
                else if (parts.Length == 4 && IsNumber(parts[1]) && IsNumber(parts[3]))
                {
                    pairs.Add(new PairListEntry(LfwPath(parts[0], parts[1]), LfwPath(parts[2], parts[3]), false, i + 1));
                }
                else
                {
                    throw new FormatException($"{source}, line {i + 1}: expected 'name n1 n2' or 'name1 n1 name2 n2' (LFW pairs.txt).");
                }
            }

            return pairs;
        }

        private static bool IsNumber(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _);

        /// <summary>LFW names image n of a person "Name/Name_000n.jpg".</summary>
        public static string LfwPath(string name, string number) =>
            string.Format(CultureInfo.InvariantCulture, "{0}/{0}_{1:D4}.jpg", name, int.Parse(number, CultureInfo.InvariantCulture));
    }
}
