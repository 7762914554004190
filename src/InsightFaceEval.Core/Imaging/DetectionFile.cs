using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using InsightFaceEval.Faces;
using InsightFaceEval.IO;

namespace InsightFaceEval.Imaging
{
    /// <summary>The faces a detector found in one image.</summary>
    public sealed class DetectionRecord
    {
        public DetectionRecord(string imagePath, List<FaceDetection> faces)
        {
            ImagePath = imagePath;
            Faces = faces;
        }

        /// <summary>Full path of the image.</summary>
        public string ImagePath { get; }

        public List<FaceDetection> Faces { get; }
    }

    /// <summary>
    /// Reads detector output files (JSON or CSV) in the common shapes: per image, rows of
    /// [x1, y1, x2, y2, score] (optionally followed by ten landmark numbers), parallel "bboxes"/"kpss"
    /// arrays as InsightFace's RetinaFace.detect returns them, or face objects with "bbox", "score"/"det_score"
    /// and "kps"/"landmarks". Relative image paths are taken relative to the detections file's folder.
    /// </summary>
    public static class DetectionFile
    {
        private static readonly string[] PathNames = { "path", "image", "file", "filename", "image_path", "img", "sourcepath" };
        private static readonly string[] FaceListNames = { "faces", "detections", "dets" };
        private static readonly string[] BoxListNames = { "bboxes", "boxes" };
        private static readonly string[] BoxNames = { "bbox", "box", "boundingbox", "rect" };
        private static readonly string[] ScoreNames = { "score", "det_score", "detectionscore", "confidence", "conf" };
        private static readonly string[] ScoreListNames = { "scores", "det_scores" };
        private static readonly string[] LandmarkNames = { "kps", "landmarks", "landmark", "keypoints", "lms" };
        private static readonly string[] LandmarkListNames = { "kpss", "landmarks_list" };

        /// <summary>Reads a detections file; the extension (.json or .csv, else the content) decides the parser.</summary>
        public static List<DetectionRecord> Read(string path, BoxFormat format)
        {
            var text = SharedFile.ReadAllText(path);
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            var isJson = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ||
                (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && (trimmed.StartsWith("{", StringComparison.Ordinal) || trimmed.StartsWith("[", StringComparison.Ordinal)));
            return isJson ? ParseJson(text, folder, format) : ParseCsv(text, folder, format);
        }

        /// <summary>Parses JSON detections. Throws <see cref="FormatException"/> with the place that is wrong.</summary>
        public static List<DetectionRecord> ParseJson(string json, string baseFolder, BoxFormat format)
        {
            var records = new Builder(baseFolder);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The detections file is not valid JSON: {ex.Message}", ex);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && Find(root, PathNames).HasValue == false && !LooksLikeFaceContainer(root))
                {
                    // { "alice/1.jpg": <faces>, ... }
                    foreach (var property in root.EnumerateObject())
                    {
                        records.Add(property.Name, ReadFaces(property.Value, format, property.Name));
                    }
                }
                else if (root.ValueKind == JsonValueKind.Array)
                {
                    var i = 0;
                    foreach (var entry in root.EnumerateArray())
                    {
                        var where = $"entry {i++}";
                        if (entry.ValueKind != JsonValueKind.Object) { throw new FormatException($"Detections {where}: expected an object with the image path and its faces."); }
                        var imagePath = Find(entry, PathNames);
                        if (!imagePath.HasValue || imagePath.Value.ValueKind != JsonValueKind.String)
                        {
                            throw new FormatException($"Detections {where}: no image path (one of: {string.Join(", ", PathNames)}).");
                        }

                        records.Add(imagePath.Value.GetString(), ReadFaces(entry, format, where));
                    }
                }
                else
                {
                    throw new FormatException("The detections JSON must be an object keyed by image path or an array of entries with a \"path\".");
                }
            }

            return records.Records;
        }

        private static bool LooksLikeFaceContainer(JsonElement e) =>
            Find(e, FaceListNames).HasValue || Find(e, BoxListNames).HasValue || Find(e, BoxNames).HasValue;

        // <faces>: an array of rows or face objects, or an object holding them.
        private static List<FaceDetection> ReadFaces(JsonElement value, BoxFormat format, string where)
        {
            var faces = new List<FaceDetection>();
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return faces;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in value.EnumerateArray()) { faces.Add(ReadFace(item, format, $"{where}, face {i++}")); }
                    return faces;
                case JsonValueKind.Object:
                    var list = Find(value, FaceListNames);
                    if (list.HasValue) { return ReadFaces(list.Value, format, where); }
                    var boxes = Find(value, BoxListNames);
                    if (boxes.HasValue)
                    {
                        var kpss = Find(value, LandmarkListNames);
                        var scores = Find(value, ScoreListNames);
                        var rows = boxes.Value.ValueKind == JsonValueKind.Array ? boxes.Value.EnumerateArray().ToList() : new List<JsonElement>();
                        var kps = kpss.HasValue && kpss.Value.ValueKind == JsonValueKind.Array ? kpss.Value.EnumerateArray().ToList() : null;
                        var sc = scores.HasValue && scores.Value.ValueKind == JsonValueKind.Array ? scores.Value.EnumerateArray().ToList() : null;
                        if (kps != null && kps.Count != rows.Count) { throw new FormatException($"Detections {where}: {rows.Count} boxes but {kps.Count} landmark sets."); }
                        for (var k = 0; k < rows.Count; k++)
                        {
                            var face = ReadFace(rows[k], format, $"{where}, face {k}");
                            var lm = kps != null ? Numbers(kps[k], $"{where}, landmarks {k}") : null;
                            var score = sc != null && k < sc.Count ? (float?)Numbers(sc[k], where).Single() : face.Score;
                            faces.Add(new FaceDetection(face.X, face.Y, face.Width, face.Height, score, CheckLandmarks(lm, where) ?? face.Landmarks));
                        }

                        return faces;
                    }

                    if (Find(value, BoxNames).HasValue)
                    {
                        faces.Add(ReadFace(value, format, where));
                        return faces;
                    }

                    throw new FormatException($"Detections {where}: no faces (expected one of: {string.Join(", ", FaceListNames.Concat(BoxListNames).Concat(BoxNames))}).");
                default:
                    throw new FormatException($"Detections {where}: expected a list of faces.");
            }
        }

        private static FaceDetection ReadFace(JsonElement e, BoxFormat format, string where)
        {
            double[] box;
            float[] landmarks = null;
            float? score = null;
            if (e.ValueKind == JsonValueKind.Array)
            {
                box = Numbers(e, where);
            }
            else if (e.ValueKind == JsonValueKind.Object)
            {
                var b = Find(e, BoxNames);
                if (!b.HasValue) { throw new FormatException($"Detections {where}: a face needs a \"bbox\"."); }
                box = Numbers(b.Value, where);
                var s = Find(e, ScoreNames);
                if (s.HasValue && s.Value.ValueKind == JsonValueKind.Number) { score = (float)s.Value.GetDouble(); }
                var l = Find(e, LandmarkNames);
                if (l.HasValue && l.Value.ValueKind != JsonValueKind.Null) { landmarks = CheckLandmarks(Numbers(l.Value, where), where); }
            }
            else
            {
                throw new FormatException($"Detections {where}: expected a box.");
            }

            return FromRow(box, format, landmarks, score, where);
        }

        // [a, b, c, d], [a, b, c, d, score] or [a, b, c, d, score, l1x, l1y, ..., l5x, l5y].
        private static FaceDetection FromRow(double[] row, BoxFormat format, float[] landmarks, float? score, string where)
        {
            if (row.Length != 4 && row.Length != 5 && row.Length != 15)
            {
                throw new FormatException($"Detections {where}: a box has 4 numbers (or 5 with the score, 15 with the landmarks); got {row.Length}.");
            }

            if (row.Length >= 5) { score = score ?? (float)row[4]; }
            if (row.Length == 15 && landmarks == null)
            {
                landmarks = row.Skip(5).Select(v => (float)v).ToArray();
            }

            return FaceDetection.FromValues(row[0], row[1], row[2], row[3], format, landmarks, score);
        }

        private static float[] CheckLandmarks(double[] values, string where)
        {
            if (values == null) { return null; }
            if (values.Length != 10) { throw new FormatException($"Detections {where}: landmarks are five points (ten numbers); got {values.Length} numbers."); }
            return values.Select(v => (float)v).ToArray();
        }

        // Numbers from a flat or nested array ([[x, y], ...] flattens to x, y, ...).
        private static double[] Numbers(JsonElement e, string where)
        {
            var list = new List<double>();
            void Walk(JsonElement x)
            {
                switch (x.ValueKind)
                {
                    case JsonValueKind.Number: list.Add(x.GetDouble()); break;
                    case JsonValueKind.Array: foreach (var y in x.EnumerateArray()) { Walk(y); } break;
                    case JsonValueKind.String when double.TryParse(x.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v): list.Add(v); break;
                    default: throw new FormatException($"Detections {where}: '{x}' is not a number.");
                }
            }

            Walk(e);
            return list.ToArray();
        }

        private static JsonElement? Find(JsonElement e, string[] names)
        {
            if (e.ValueKind != JsonValueKind.Object) { return null; }
            foreach (var p in e.EnumerateObject())
            {
                foreach (var n in names)
                {
                    if (string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase)) { return p.Value; }
                }
            }

            return null;
        }

        /// <summary>
        /// Parses CSV detections: a header row, one face per row. Columns (any case): the image
        /// (path, image or file); the box as x1, y1, x2, y2 or as x, y, width, height (or one "bbox" column
        /// of four numbers in <paramref name="format"/>); optional score and landmarks (ten numbers).
        /// A row whose box cells are empty lists an image with no face.
        /// </summary>
        public static List<DetectionRecord> ParseCsv(string csv, string baseFolder, BoxFormat format)
        {
            var rows = CsvRows(csv).Where(r => r.Count > 1 || (r.Count == 1 && r[0].Length > 0)).ToList();
            if (rows.Count == 0) { return new List<DetectionRecord>(); }
            var header = rows[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
            int Col(params string[] names) => header.FindIndex(h => names.Contains(h));
            var pathCol = Col(PathNames);
            if (pathCol < 0) { throw new FormatException($"The detections CSV needs an image column (one of: {string.Join(", ", PathNames)})."); }
            int x1 = Col("x1", "left", "xmin"), y1 = Col("y1", "top", "ymin"), x2 = Col("x2", "right", "xmax"), y2 = Col("y2", "bottom", "ymax");
            int x = Col("x"), y = Col("y"), w = Col("width", "w"), h = Col("height", "h");
            var bbox = Col(BoxNames);
            var scoreCol = Col(ScoreNames);
            var lmCol = Col(LandmarkNames);
            if (!(x1 >= 0 && y1 >= 0 && x2 >= 0 && y2 >= 0) && !(x >= 0 && y >= 0 && w >= 0 && h >= 0) && bbox < 0)
            {
                throw new FormatException("The detections CSV needs box columns: x1, y1, x2, y2, or x, y, width, height, or bbox.");
            }

            var records = new Builder(baseFolder);
            for (var r = 1; r < rows.Count; r++)
            {
                var row = rows[r];
                string Cell(int c) => c >= 0 && c < row.Count ? row[c].Trim() : string.Empty;
                var where = $"line {r + 1}";
                var imagePath = Cell(pathCol);
                if (imagePath.Length == 0) { throw new FormatException($"Detections {where}: the image path is empty."); }
                double[] box;
                BoxFormat rowFormat;
                if (x1 >= 0 && y1 >= 0 && x2 >= 0 && y2 >= 0)
                {
                    box = new[] { Cell(x1), Cell(y1), Cell(x2), Cell(y2) }.Select(v => ParseNumberOrNaN(v, where)).ToArray();
                    rowFormat = BoxFormat.XYXY;
                }
                else if (x >= 0 && y >= 0 && w >= 0 && h >= 0)
                {
                    box = new[] { Cell(x), Cell(y), Cell(w), Cell(h) }.Select(v => ParseNumberOrNaN(v, where)).ToArray();
                    rowFormat = BoxFormat.XYWH;
                }
                else
                {
                    box = ParseNumberList(Cell(bbox), where);
                    rowFormat = format;
                }

                if (box.Length == 0 || box.All(double.IsNaN))
                {
                    records.Add(imagePath, new List<FaceDetection>());
                    continue;
                }

                if (box.Length != 4) { throw new FormatException($"Detections {where}: a box has four numbers; got {box.Length}."); }
                var scoreText = Cell(scoreCol);
                float? score = scoreText.Length > 0 ? (float?)ParseNumber(scoreText, where) : null;
                var lmText = Cell(lmCol);
                var landmarks = lmText.Length > 0 ? CheckLandmarks(ParseNumberList(lmText, where), where) : null;
                records.Add(imagePath, new List<FaceDetection> { FaceDetection.FromValues(box[0], box[1], box[2], box[3], rowFormat, landmarks, score) });
            }

            return records.Records;
        }

        /// <summary>Numbers separated by commas, semicolons, spaces or brackets ("[1, 2, 3, 4]", "1 2 3 4").</summary>
        public static double[] ParseNumberList(string text, string where = "value")
        {
            if (string.IsNullOrWhiteSpace(text)) { return Array.Empty<double>(); }
            return text.Split(new[] { ',', ';', ' ', '\t', '[', ']', '(', ')' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(t => ParseNumber(t, where)).ToArray();
        }

        private static double ParseNumberOrNaN(string text, string where) => text.Length == 0 ? double.NaN : ParseNumber(text, where);

        private static double ParseNumber(string text, string where)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) { return v; }
            throw new FormatException($"Detections {where}: '{text}' is not a number.");
        }

        /// <summary>The rows of a CSV text (RFC 4180 quoting, any line ending, a leading BOM skipped); also read by <see cref="IdentityMap"/>.</summary>
        internal static IEnumerable<List<string>> CsvRows(string text)
        {
            var row = new List<string>();
            var cell = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                        else { quoted = false; }
                    }
                    else { cell.Append(c); }
                }
                else if (c == '"') { quoted = true; }
                else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
                else if (c == '\n' || c == '\r')
                {
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { i++; }
                    row.Add(cell.ToString());
                    cell.Clear();
                    yield return row;
                    row = new List<string>();
                }
                else if (c == '\uFEFF' && i == 0) { }
                else { cell.Append(c); }
            }

            if (cell.Length > 0 || row.Count > 0)
            {
                row.Add(cell.ToString());
                yield return row;
            }
        }

        // Keeps file order and merges the faces of an image that appears more than once.
        private sealed class Builder
        {
            private readonly string _baseFolder;
            private readonly Dictionary<string, DetectionRecord> _byPath = new Dictionary<string, DetectionRecord>(
                Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

            public Builder(string baseFolder) => _baseFolder = baseFolder;

            public List<DetectionRecord> Records { get; } = new List<DetectionRecord>();

            public void Add(string imagePath, List<FaceDetection> faces)
            {
                var full = Path.GetFullPath(Path.IsPathRooted(imagePath) ? imagePath : Path.Combine(_baseFolder ?? string.Empty, imagePath));
                if (_byPath.TryGetValue(full, out var existing))
                {
                    existing.Faces.AddRange(faces);
                    return;
                }

                var record = new DetectionRecord(full, faces);
                _byPath[full] = record;
                Records.Add(record);
            }
        }
    }
}
