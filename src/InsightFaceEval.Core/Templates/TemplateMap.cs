using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InsightFaceEval.IO;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Templates
{
    /// <summary>One row of a template map: an image, the template it is enrolled in, its media, and optionally the template's person.</summary>
    public sealed class TemplateMapEntry
    {
        public TemplateMapEntry(string path, string templateId, string mediaId, string identity, int line)
        {
            Path = path;
            TemplateId = templateId;
            MediaId = mediaId;
            Identity = identity;
            Line = line;
        }

        /// <summary>The image as the file names it (dataset-relative, or a bare file name as IJB lists do).</summary>
        public string Path { get; }

        public string TemplateId { get; }

        /// <summary>The media id, or null when the file has none (each image is then its own media).</summary>
        public string MediaId { get; }

        /// <summary>The person, or null: the images' own identity is used then.</summary>
        public string Identity { get; }

        /// <summary>1-based line in the file.</summary>
        public int Line { get; }
    }

    /// <summary>
    /// Which template (and media) each image belongs to. Two layouts are read:
    /// <list type="bullet">
    /// <item>a CSV with a header naming the columns <c>path</c> (or <c>image</c>), <c>template</c>, and optionally
    /// <c>media</c> and <c>identity</c> (or <c>subject</c>), in any order;</item>
    /// <item>the IJB-B/C face list (<c>ijbb_face_tid_mid.txt</c>, <c>ijbc_face_tid_mid.txt</c>): per line, separated by
    /// spaces, the image file name, the template id and the media id.</item>
    /// </list>
    /// An image may be listed in several templates. Images match by dataset-relative path, then by that path without its
    /// extension (a crop saved as .png matches 1.jpg), then by file name (without extension) when only one image has it.
    /// </summary>
    public sealed class TemplateMap
    {
        private TemplateMap(List<TemplateMapEntry> entries, string source)
        {
            Entries = entries;
            Source = source;
        }

        public IReadOnlyList<TemplateMapEntry> Entries { get; }

        /// <summary>The file the map came from (for messages).</summary>
        public string Source { get; }

        public static TemplateMap Read(string path) => Parse(SharedFile.ReadAllLines(path), path);

        public static TemplateMap Parse(IReadOnlyList<string> lines, string source)
        {
            int first = 0;
            while (first < lines.Count && string.IsNullOrWhiteSpace(lines[first])) { first++; }
            if (first == lines.Count) { throw new InvalidDataException($"'{source}' lists no image."); }
            var entries = lines[first].IndexOf(',') >= 0 ? ParseCsv(lines, first, source) : ParseIjb(lines, source);
            if (entries.Count == 0) { throw new InvalidDataException($"'{source}' lists no image."); }
            return new TemplateMap(entries, source);
        }

        private static List<TemplateMapEntry> ParseCsv(IReadOnlyList<string> lines, int header, string source)
        {
            var names = PairListReader.SplitCsv(lines[header]).Select(h => h.Trim().ToLowerInvariant()).ToList();
            int Column(params string[] candidates) => names.FindIndex(n => candidates.Contains(n));
            int path = Column("path", "image", "file"), template = Column("template", "template_id", "tid"), media = Column("media", "media_id", "mid"), identity = Column("identity", "subject", "subject_id");
            if (path < 0 || template < 0)
            {
                throw new InvalidDataException($"{source}, line {header + 1}: the header must name a 'path' and a 'template' column (optionally 'media' and 'identity'); found '{lines[header].Trim()}'.");
            }

            var entries = new List<TemplateMapEntry>();
            for (int i = header + 1; i < lines.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i])) { continue; }
                var fields = PairListReader.SplitCsv(lines[i]);
                if (fields.Count != names.Count) { throw new InvalidDataException($"{source}, line {i + 1}: expected {names.Count} fields as the header names, found {fields.Count}."); }
                string Field(int c) => c < 0 ? null : NullIfEmpty(fields[c].Trim());
                if (Field(path) == null || Field(template) == null) { throw new InvalidDataException($"{source}, line {i + 1}: the path and the template must not be empty."); }
                entries.Add(new TemplateMapEntry(Field(path), Field(template), Field(media), Field(identity), i + 1));
            }

            return entries;
        }

        private static List<TemplateMapEntry> ParseIjb(IReadOnlyList<string> lines, string source)
        {
            var entries = new List<TemplateMapEntry>();
            for (int i = 0; i < lines.Count; i++)
            {
                var parts = lines[i].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) { continue; }
                if (parts.Length != 3) { throw new InvalidDataException($"{source}, line {i + 1}: expected 'image template media' (IJB face_tid_mid layout), found {parts.Length} field(s)."); }
                entries.Add(new TemplateMapEntry(parts[0], parts[1], parts[2], null, i + 1));
            }

            return entries;
        }

        private static string NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

        /// <summary>
        /// The embeddings as template members: one copy per template an image is listed in, carrying the template and
        /// media ids (and the map's identity, when it has one). Images the map does not list are counted in
        /// <paramref name="unlisted"/> and left out; rows no image matched are in <paramref name="unmatched"/>.
        /// </summary>
        public List<FaceEmbedding> Apply(IEnumerable<FaceEmbedding> embeddings, StringComparer comparer, out int unlisted, out List<TemplateMapEntry> unmatched)
        {
            comparer = comparer ?? StringComparer.Ordinal;
            var list = embeddings.ToList();
            var byKey = new Dictionary<string, List<int>>(comparer);
            var byStem = new Dictionary<string, List<int>>(comparer);
            var byName = new Dictionary<string, List<int>>(comparer);
            void Add(Dictionary<string, List<int>> index, string key, int i)
            {
                if (!index.TryGetValue(key, out var at)) { index[key] = at = new List<int>(); }
                at.Add(i);
            }

            for (int i = 0; i < list.Count; i++)
            {
                var key = DatasetPaths.NormalizeKey(list[i].RelativePath) ?? string.Empty;
                Add(byKey, key, i);
                Add(byStem, Stem(key), i);
                Add(byName, Stem(FileName(key)), i);
            }

            var result = new List<FaceEmbedding>();
            var used = new bool[list.Count];
            unmatched = new List<TemplateMapEntry>();
            foreach (var entry in Entries)
            {
                var key = DatasetPaths.NormalizeKey(entry.Path) ?? string.Empty;
                if (!byKey.TryGetValue(key, out var found) && !byStem.TryGetValue(Stem(key), out found))
                {
                    // A bare file name (IJB's "1.jpg") matches the one image of that name, in whichever folder and format.
                    if (key.IndexOf('/') >= 0 || !byName.TryGetValue(Stem(key), out found) || found.Select(i => list[i].Model).Distinct(StringComparer.Ordinal).Count() != found.Count) { found = null; }
                }

                if (found == null) { unmatched.Add(entry); continue; }
                foreach (var i in found)
                {
                    used[i] = true;
                    var member = list[i].WithTemplate(entry.TemplateId, entry.MediaId);
                    result.Add(entry.Identity == null ? member : member.WithIdentity(entry.Identity));
                }
            }

            unlisted = used.Count(u => !u);
            return result;
        }

        private static string FileName(string key)
        {
            int slash = key.LastIndexOf('/');
            return slash >= 0 ? key.Substring(slash + 1) : key;
        }

        private static string Stem(string key)
        {
            int slash = key.LastIndexOf('/');
            int dot = key.LastIndexOf('.');
            return dot > slash ? key.Substring(0, dot) : key;
        }
    }
}
