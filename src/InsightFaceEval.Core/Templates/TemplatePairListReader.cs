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
            var pairs = PairListReader.ParseLabelledRows(lines, source,
                line => line.IndexOf(',') >= 0 ? PairListReader.SplitCsv(line) : new List<string>(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)),
                "'template1 template2 label'");
            if (pairs.Count == 0) { throw new FormatException($"'{source}' has no template pairs."); }
            return pairs;
        }
    }
}
