using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.IO;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Subgroups
{
    /// <summary>
    /// Attributes of people or images from a CSV: the first column is <c>identity</c> (one row per person) or <c>path</c>
    /// (one row per image, dataset-relative; with templates, the template id), every other column an attribute
    /// (age band, sex, skin tone, camera, ...). An empty cell is "no group" for that attribute.
    /// </summary>
    public sealed class SubgroupMetadata
    {
        private readonly Dictionary<string, string[]> rows;

        private SubgroupMetadata(bool byIdentity, string[] columns, Dictionary<string, string[]> rows, string source)
        {
            ByIdentity = byIdentity;
            Columns = columns;
            this.rows = rows;
            Source = source;
        }

        /// <summary>True when rows are keyed by identity, false when by image path.</summary>
        public bool ByIdentity { get; }

        /// <summary>The attribute columns, as the header names them.</summary>
        public IReadOnlyList<string> Columns { get; }

        public string Source { get; }

        public static SubgroupMetadata Read(string path, StringComparer pathComparer) => Parse(SharedFile.ReadAllLines(path), path, pathComparer);

        public static SubgroupMetadata Parse(IReadOnlyList<string> lines, string source, StringComparer pathComparer)
        {
            int header = 0;
            while (header < lines.Count && string.IsNullOrWhiteSpace(lines[header])) { header++; }
            if (header == lines.Count) { throw new InvalidDataException($"'{source}' is empty."); }
            var names = PairListReader.SplitCsv(lines[header]).Select(h => h.Trim()).ToArray();
            var key = names[0].ToLowerInvariant();
            if ((key != "identity" && key != "path") || names.Length < 2)
            {
                throw new InvalidDataException($"{source}, line {header + 1}: the first column must be 'identity' or 'path', followed by at least one attribute column; found '{lines[header].Trim()}'.");
            }

            bool byIdentity = key == "identity";
            var table = new Dictionary<string, string[]>(byIdentity ? StringComparer.Ordinal : pathComparer ?? StringComparer.Ordinal);
            for (int i = header + 1; i < lines.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i])) { continue; }
                var fields = PairListReader.SplitCsv(lines[i]).Select(f => f.Trim()).ToArray();
                if (fields.Length != names.Length) { throw new InvalidDataException($"{source}, line {i + 1}: expected {names.Length} fields as the header names, found {fields.Length}."); }
                var id = byIdentity ? fields[0] : DatasetPaths.NormalizeKey(fields[0]);
                if (string.IsNullOrEmpty(id)) { throw new InvalidDataException($"{source}, line {i + 1}: the {key} is empty."); }
                if (table.TryGetValue(id, out var earlier) && !earlier.SequenceEqual(fields.Skip(1)))
                {
                    throw new InvalidDataException($"{source}, line {i + 1}: '{fields[0]}' is listed again with other attributes.");
                }

                table[id] = fields.Skip(1).ToArray();
            }

            return new SubgroupMetadata(byIdentity, names.Skip(1).ToArray(), table, source);
        }

        /// <summary>The index of attribute <paramref name="column"/> (case-insensitive), or -1.</summary>
        public int ColumnIndex(string column)
        {
            for (int c = 0; c < Columns.Count; c++)
            {
                if (string.Equals(Columns[c], column, StringComparison.OrdinalIgnoreCase)) { return c; }
            }

            return -1;
        }

        /// <summary>The value of <paramref name="column"/> for an image (by its identity or its dataset-relative path), or null.</summary>
        public string GroupOf(int column, string identity, string relativePath)
        {
            string[] values;
            if (ByIdentity)
            {
                if (identity == null || !rows.TryGetValue(identity, out values)) { return null; }
            }
            else
            {
                var key = DatasetPaths.NormalizeKey(relativePath);
                if (key == null || !rows.TryGetValue(key, out values)) { return null; }
            }

            var value = values[column];
            return string.IsNullOrEmpty(value) ? null : value;
        }
    }
}
