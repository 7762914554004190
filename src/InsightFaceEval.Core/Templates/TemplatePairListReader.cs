using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using InsightFaceEval.IO;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Templates
{
    /// <summary>
    /// Reads template pair lists: the IJB-B/C layout (<c>ijbb_template_pair_label.txt</c>: per line, separated by spaces,
    /// template 1, template 2, label) or a CSV <c>template1,template2,label</c> (header optional); label 1 is a genuine
    /// (mated) pair, 0 an impostor pair.
    /// </summary>
    public static class TemplatePairListReader
    {
        public static List<PairListEntry> Read(string path) => Parse(SharedFile.ReadAllLines(path), path);

        public static List<PairListEntry> Parse(IReadOnlyList<string> lines, string source)
        {
            var pairs = new List<PairListEntry>();
            bool sawData = false;
            for (int i = 0; i < lines.Count; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0) { continue; }
                var fields = line.IndexOf(',') >= 0 ? PairListReader.SplitCsv(line) : new List<string>(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries));
                if (fields.Count != 3) { throw new FormatException($"{source}, line {i + 1}: expected 'template1 template2 label', found {fields.Count} field(s)."); }
                var label = fields[2].Trim();
                if (label != "0" && label != "1")
                {
                    if (!sawData && !double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) { sawData = true; continue; } // header
                    throw new FormatException($"{source}, line {i + 1}: the label must be 1 (genuine) or 0 (impostor), found '{label}'.");
                }

                sawData = true;
                pairs.Add(new PairListEntry(fields[0].Trim(), fields[1].Trim(), label == "1", i + 1));
            }

            if (pairs.Count == 0) { throw new FormatException($"'{source}' has no template pairs."); }
            return pairs;
        }
    }
}
