using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// The report's JSON form: the stable schema documented in docs/report-schema.md. Written by hand
    /// (not by a serializer) so the property order and names never change by accident, and read back
    /// for baseline checks.
    /// </summary>
    public static class ReportJson
    {
        public static string Write(EvaluationReport report)
        {
            using (var stream = new MemoryStream())
            {
                Write(report, stream);
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        public static void Write(EvaluationReport report, Stream stream)
        {
            if (report == null) { throw new ArgumentNullException(nameof(report)); }
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("schemaVersion", report.SchemaVersion);
                w.WriteString("kind", "InsightFaceEval.EvaluationReport");

                // The verdict comes first: which model to pick, and why. The evidence follows.
                if (report.Recommendation == null)
                {
                    w.WriteNull("recommendation");
                }
                else
                {
                    var r = report.Recommendation;
                    w.WriteStartObject("recommendation");
                    WriteNullableString(w, "model", r.Model);
                    w.WriteString("text", r.Text);
                    WriteNumber(w, "operatingFar", r.OperatingFar);
                    WriteStrings(w, "rules", r.Rules);
                    w.WriteEndObject();
                }

                w.WriteString("title", report.Title);
                w.WriteString("generatedAt", Iso(report.GeneratedAt));

                w.WriteStartObject("provenance");
                var p = report.Provenance;
                w.WriteString("moduleVersion", p.ModuleVersion);
                WriteStrings(w, "endpointFingerprints", p.EndpointFingerprints);
                WriteDate(w, "firstExtraction", p.FirstExtraction);
                WriteDate(w, "lastExtraction", p.LastExtraction);
                w.WriteStartObject("settings");
                foreach (var kv in p.Settings) { w.WriteString(kv.Key, kv.Value); }
                w.WriteEndObject();
                w.WriteEndObject();

                w.WriteStartObject("dataset");
                var d = report.Dataset;
                WriteNullableString(w, "protocol", d.Protocol);
                WriteNumber(w, "identities", d.Identities);
                WriteNumber(w, "images", d.Images);
                WriteNumber(w, "genuinePairs", d.GenuinePairs);
                WriteNumber(w, "impostorPairs", d.ImpostorPairs);
                w.WriteEndObject();

                w.WriteStartArray("models");
                foreach (var m in report.Models) { WriteModel(w, m); }
                w.WriteEndArray();

                w.WriteStartArray("comparisons");
                foreach (var c in report.Comparisons) { WriteComparison(w, c); }
                w.WriteEndArray();

                w.WriteStartArray("identification");
                foreach (var i in report.Identification) { WriteIdentification(w, i); }
                w.WriteEndArray();

                WriteStrings(w, "notes", report.Notes);
                w.WriteEndObject();
            }
        }

        private static void WriteModel(Utf8JsonWriter w, ModelReport m)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            WriteNumber(w, "dimension", m.Dimension);
            WriteNumber(w, "images", m.Images);
            WriteNumber(w, "failedImages", m.FailedImages);
            WriteNumber(w, "failureToAcquireRate", m.FailureToAcquireRate);
            w.WritePropertyName("completed");
            WriteMetricSet(w, m.Completed);
            w.WritePropertyName("systemLevel");
            WriteMetricSet(w, m.SystemLevel);
            w.WritePropertyName("commonPairs");
            WriteMetricSet(w, m.CommonPairs);
            w.WritePropertyName("genuineScores");
            WriteSummary(w, m.GenuineScores);
            w.WritePropertyName("impostorScores");
            WriteSummary(w, m.ImpostorScores);

            WriteRoc(w, "roc", m.Roc);
            WriteRoc(w, "systemLevelRoc", m.SystemLevelRoc);

            if (m.Histogram == null)
            {
                w.WriteNull("histogram");
            }
            else
            {
                w.WriteStartObject("histogram");
                w.WriteStartArray("binEdges");
                foreach (var e in m.Histogram.BinEdges) { w.WriteNumberValue(e); }
                w.WriteEndArray();
                w.WriteStartArray("genuine");
                foreach (var c in m.Histogram.Genuine) { w.WriteNumberValue(c); }
                w.WriteEndArray();
                w.WriteStartArray("impostor");
                foreach (var c in m.Histogram.Impostor) { w.WriteNumberValue(c); }
                w.WriteEndArray();
                w.WriteEndObject();
            }

            WritePairs(w, "hardestGenuine", m.HardestGenuine);
            WritePairs(w, "hardestImpostor", m.HardestImpostor);
            w.WriteEndObject();
        }

        private static void WriteRoc(Utf8JsonWriter w, string name, IReadOnlyList<RocPoint> roc)
        {
            w.WriteStartArray(name);
            foreach (var r in roc)
            {
                w.WriteStartObject();
                w.WriteNumber("threshold", r.Threshold);
                w.WriteNumber("far", r.Far);
                w.WriteNumber("tar", r.Tar);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        private static void WriteMetricSet(Utf8JsonWriter w, MetricSet s)
        {
            if (s == null)
            {
                w.WriteNullValue();
                return;
            }

            w.WriteStartObject();
            w.WriteNumber("genuinePairs", s.GenuinePairs);
            w.WriteNumber("impostorPairs", s.ImpostorPairs);
            w.WriteNumber("failedGenuinePairs", s.FailedGenuinePairs);
            w.WriteNumber("failedImpostorPairs", s.FailedImpostorPairs);
            w.WriteStartArray("tarAtFar");
            foreach (var t in s.TarAtFar) { WriteTarAtFar(w, t, "tar", "achievedFar"); }
            w.WriteEndArray();
            WriteNumber(w, "eer", s.Eer);
            WriteNumber(w, "eerThreshold", s.EerThreshold);
            WriteNumber(w, "eerIntervalLow", s.EerIntervalLow);
            WriteNumber(w, "eerIntervalHigh", s.EerIntervalHigh);
            WriteNumber(w, "auc", s.Auc);
            WriteNumber(w, "bestAccuracy", s.BestAccuracy);
            WriteNumber(w, "bestAccuracyThreshold", s.BestAccuracyThreshold);
            WriteNumber(w, "kFoldAccuracyMean", s.KFoldAccuracyMean);
            WriteNumber(w, "kFoldAccuracyStdDev", s.KFoldAccuracyStdDev);
            WriteNumber(w, "balancedAccuracy", s.BalancedAccuracy);
            WriteNumber(w, "balancedAccuracyThreshold", s.BalancedAccuracyThreshold);
            WriteNumber(w, "kFoldBalancedAccuracyMean", s.KFoldBalancedAccuracyMean);
            WriteNumber(w, "kFoldBalancedAccuracyStdDev", s.KFoldBalancedAccuracyStdDev);
            WriteNumber(w, "dPrime", s.DPrime);
            if (s.AtThreshold == null)
            {
                w.WriteNull("atThreshold");
            }
            else
            {
                var a = s.AtThreshold;
                w.WriteStartObject("atThreshold");
                w.WriteNumber("threshold", a.Threshold);
                WriteNumber(w, "tar", a.Tar);
                WriteNumber(w, "tarIntervalLow", a.TarIntervalLow);
                WriteNumber(w, "tarIntervalHigh", a.TarIntervalHigh);
                WriteNumber(w, "far", a.Far);
                WriteNumber(w, "farIntervalLow", a.FarIntervalLow);
                WriteNumber(w, "farIntervalHigh", a.FarIntervalHigh);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        private static void WriteTarAtFar(Utf8JsonWriter w, ReportTarAtFar t, string rateName, string achievedName)
        {
            w.WriteStartObject();
            w.WriteNumber("targetFar", t.TargetFar);
            w.WriteBoolean("supported", t.Supported);
            WriteNumber(w, rateName, t.Tar);
            WriteNumber(w, "threshold", t.Threshold);
            WriteNumber(w, achievedName, t.AchievedFar);
            w.WriteNumber("falseAcceptBudget", t.FalseAcceptBudget);
            WriteNumber(w, "lowestSupportableFar", t.LowestSupportableFar);
            WriteNumber(w, "intervalLow", t.IntervalLow);
            WriteNumber(w, "intervalHigh", t.IntervalHigh);
            w.WriteEndObject();
        }

        private static void WriteSummary(Utf8JsonWriter w, ScoreSummary s)
        {
            if (s == null)
            {
                w.WriteNullValue();
                return;
            }

            w.WriteStartObject();
            w.WriteNumber("count", s.Count);
            WriteNumber(w, "mean", s.Mean);
            WriteNumber(w, "standardDeviation", s.StandardDeviation);
            WriteNumber(w, "minimum", s.Minimum);
            WriteNumber(w, "maximum", s.Maximum);
            w.WriteEndObject();
        }

        private static void WritePairs(Utf8JsonWriter w, string name, IReadOnlyList<HardPair> pairs)
        {
            w.WriteStartArray(name);
            foreach (var p in pairs)
            {
                w.WriteStartObject();
                WriteNullableString(w, "path1", p.Path1);
                WriteNullableString(w, "path2", p.Path2);
                WriteNullableString(w, "identity1", p.Identity1);
                WriteNullableString(w, "identity2", p.Identity2);
                w.WriteNumber("score", p.Score);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        private static void WriteComparison(Utf8JsonWriter w, ComparisonReport c)
        {
            w.WriteStartObject();
            w.WriteString("referenceModel", c.ReferenceModel);
            w.WriteString("differenceModel", c.DifferenceModel);
            w.WriteNumber("genuinePairs", c.GenuinePairs);
            w.WriteNumber("impostorPairs", c.ImpostorPairs);
            w.WriteNumber("identities", c.Identities);
            WriteNumber(w, "referenceFailureToAcquireRate", c.ReferenceFta);
            WriteNumber(w, "differenceFailureToAcquireRate", c.DifferenceFta);
            w.WriteNumber("bootstrapSamples", c.BootstrapSamples);
            w.WriteNumber("bootstrapSeed", c.BootstrapSeed);
            WriteNullableString(w, "betterModel", c.BetterModel);
            WriteNullableString(w, "verdict", c.Verdict);
            WriteNullableString(w, "recommendation", c.Recommendation);
            WriteNumber(w, "operatingFar", c.OperatingFar);
            WriteNullableString(w, "decidedBy", c.DecidedBy);
            w.WriteStartArray("views");
            foreach (var d in c.Views) { WriteDifference(w, d); }
            w.WriteEndArray();
            if (c.FailureToAcquire == null) { w.WriteNull("failureToAcquire"); }
            else
            {
                w.WritePropertyName("failureToAcquire");
                WriteDifference(w, c.FailureToAcquire);
            }

            WriteNullableString(w, "disagreement", c.Disagreement);
            w.WriteStartArray("differences");
            foreach (var d in c.Differences) { WriteDifference(w, d); }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WriteDifference(Utf8JsonWriter w, ReportMetricDifference d)
        {
            w.WriteStartObject();
            w.WriteString("metric", d.Metric);
            if (d.PairSet != null) { w.WriteString("pairSet", d.PairSet); }
            WriteNumber(w, "targetFar", d.TargetFar);
            WriteNumber(w, "referenceValue", d.ReferenceValue);
            WriteNumber(w, "differenceValue", d.DifferenceValue);
            WriteNumber(w, "difference", d.Difference);
            WriteNumber(w, "intervalLow", d.IntervalLow);
            WriteNumber(w, "intervalHigh", d.IntervalHigh);
            WriteNullableString(w, "betterModel", d.BetterModel);
            WriteNullableString(w, "verdict", d.Verdict);
            w.WriteEndObject();
        }

        private static void WriteIdentification(Utf8JsonWriter w, IdentificationReport i)
        {
            w.WriteStartObject();
            w.WriteString("name", i.Name);
            w.WriteNumber("matedProbes", i.MatedProbes);
            w.WriteNumber("nonMatedProbes", i.NonMatedProbes);
            w.WriteNumber("galleryIdentities", i.GalleryIdentities);
            WriteNumber(w, "failureToAcquireRate", i.FailureToAcquireRate);
            w.WriteStartArray("cmc");
            foreach (var v in i.Cmc) { w.WriteNumberValue(v); }
            w.WriteEndArray();
            w.WriteStartArray("tpirAtFpir");
            foreach (var t in i.TpirAtFpir) { WriteTarAtFar(w, t, "tpir", "achievedFpir"); }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static string Iso(DateTimeOffset value) =>
            value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private static void WriteDate(Utf8JsonWriter w, string name, DateTimeOffset? value)
        {
            if (value.HasValue) { w.WriteString(name, Iso(value.Value)); }
            else { w.WriteNull(name); }
        }

        private static void WriteNullableString(Utf8JsonWriter w, string name, string value)
        {
            if (value == null) { w.WriteNull(name); }
            else { w.WriteString(name, value); }
        }

        private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) { w.WriteStringValue(v); }
            w.WriteEndArray();
        }

        // JSON has no NaN or infinity: a metric that is not a finite number is written as null.
        private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
        {
            if (value.HasValue && !double.IsNaN(value.Value) && !double.IsInfinity(value.Value)) { w.WriteNumber(name, value.Value); }
            else { w.WriteNull(name); }
        }

        private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
        {
            if (value.HasValue) { w.WriteNumber(name, value.Value); }
            else { w.WriteNull(name); }
        }

        private static void WriteNumber(Utf8JsonWriter w, string name, int? value)
        {
            if (value.HasValue) { w.WriteNumber(name, value.Value); }
            else { w.WriteNull(name); }
        }

        /// <summary>Reads a report written by <see cref="Write(EvaluationReport)"/> (any 1.x schema).</summary>
        /// <exception cref="InvalidDataException">The text is not an InsightFaceEval report of a supported schema.</exception>
        public static EvaluationReport Read(string json)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException("The file is not valid JSON: " + ex.Message, ex);
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException("The file is not an InsightFaceEval report: it has no schemaVersion.");
                }

                var major = version.GetString().Split('.')[0];
                if (major != CurrentMajor)
                {
                    throw new InvalidDataException($"The report has schema version {version.GetString()}; this module reads {CurrentMajor}.x.");
                }

                var prov = Obj(root, "provenance");
                var settings = new List<KeyValuePair<string, string>>();
                if (prov.HasValue && prov.Value.TryGetProperty("settings", out var s) && s.ValueKind == JsonValueKind.Object)
                {
                    foreach (var prop in s.EnumerateObject()) { settings.Add(new KeyValuePair<string, string>(prop.Name, prop.Value.ToString())); }
                }

                var provenance = new ReportProvenance(
                    Str(prov, "moduleVersion"),
                    Strings(prov, "endpointFingerprints"),
                    Date(prov, "firstExtraction"),
                    Date(prov, "lastExtraction"),
                    settings);
                var ds = Obj(root, "dataset");
                var dataset = new DatasetSummary(Str(ds, "protocol"), (int?)Long(ds, "identities"), (int?)Long(ds, "images"), Long(ds, "genuinePairs"), Long(ds, "impostorPairs"));
                var models = Array(root, "models").Select(ReadModel).ToList();
                var comparisons = Array(root, "comparisons").Select(c => new ComparisonReport(
                    Str(c, "referenceModel"), Str(c, "differenceModel"), Long(c, "genuinePairs") ?? 0, Long(c, "impostorPairs") ?? 0, (int)(Long(c, "identities") ?? 0),
                    Num(c, "referenceFailureToAcquireRate"), Num(c, "differenceFailureToAcquireRate"), (int)(Long(c, "bootstrapSamples") ?? 0), (int)(Long(c, "bootstrapSeed") ?? 0),
                    Str(c, "betterModel"), Str(c, "verdict"),
                    Array(c, "differences").Select(ReadDifference),
                    Num(c, "operatingFar"), Str(c, "recommendation"), Str(c, "decidedBy"), Array(c, "views").Select(ReadDifference),
                    Obj(c, "failureToAcquire").HasValue ? ReadDifference(Obj(c, "failureToAcquire").Value) : null, Str(c, "disagreement"))).ToList();
                var rec = Obj(root, "recommendation");
                var recommendation = rec.HasValue ? new ReportRecommendation(Str(rec, "model"), Str(rec, "text"), Num(rec, "operatingFar"), Strings(rec, "rules")) : null;
                var identification = Array(root, "identification").Select(i => new IdentificationReport(
                    Str(i, "name"), Long(i, "matedProbes") ?? 0, Long(i, "nonMatedProbes") ?? 0, (int)(Long(i, "galleryIdentities") ?? 0),
                    Array(i, "cmc").Select(v => v.GetDouble()),
                    Array(i, "tpirAtFpir").Select(t => ReadTarAtFar(t, "tpir", "achievedFpir")),
                    Num(i, "failureToAcquireRate"))).ToList();
                return new EvaluationReport(
                    Str(root, "title"),
                    Date(root, "generatedAt") ?? DateTimeOffset.MinValue,
                    provenance,
                    dataset,
                    models,
                    comparisons,
                    identification,
                    Strings(root, "notes"),
                    recommendation);
            }
        }

        private static ReportMetricDifference ReadDifference(JsonElement d) =>
            new ReportMetricDifference(
                Str(d, "metric"), Num(d, "targetFar"), Num(d, "referenceValue"), Num(d, "differenceValue"), Num(d, "difference"),
                Num(d, "intervalLow"), Num(d, "intervalHigh"), Str(d, "betterModel"), Str(d, "verdict"), Str(d, "pairSet"));

        private static string CurrentMajor => EvaluationReport.CurrentSchemaVersion.Split('.')[0];

        private static ModelReport ReadModel(JsonElement m)
        {
            ReportHistogram histogram = null;
            var h = Obj(m, "histogram");
            if (h.HasValue)
            {
                histogram = new ReportHistogram(
                    Array(h.Value, "binEdges").Select(v => v.GetDouble()),
                    Array(h.Value, "genuine").Select(v => v.GetInt64()),
                    Array(h.Value, "impostor").Select(v => v.GetInt64()));
            }

            var completed = ReadMetricSet(Obj(m, "completed"))
                ?? throw new InvalidDataException($"Model '{Str(m, "name")}' has no 'completed' metrics.");
            return new ModelReport(
                Str(m, "name"),
                (int?)Long(m, "dimension"),
                (int?)Long(m, "images"),
                (int?)Long(m, "failedImages"),
                Num(m, "failureToAcquireRate"),
                completed,
                ReadMetricSet(Obj(m, "systemLevel")),
                ReadMetricSet(Obj(m, "commonPairs")),
                ReadSummary(Obj(m, "genuineScores")),
                ReadSummary(Obj(m, "impostorScores")),
                Array(m, "roc").Select(r => new RocPoint(Num(r, "threshold") ?? 0, Num(r, "far") ?? 0, Num(r, "tar") ?? 0)),
                histogram,
                Array(m, "hardestGenuine").Select(p => ReadPair(p, true)),
                Array(m, "hardestImpostor").Select(p => ReadPair(p, false)),
                Array(m, "systemLevelRoc").Select(r => new RocPoint(Num(r, "threshold") ?? 0, Num(r, "far") ?? 0, Num(r, "tar") ?? 0)));
        }

        private static HardPair ReadPair(JsonElement p, bool genuine) =>
            new HardPair(genuine, Str(p, "path1"), Str(p, "path2"), Str(p, "identity1"), Str(p, "identity2"), Num(p, "score") ?? double.NaN);

        private static MetricSet ReadMetricSet(JsonElement? s)
        {
            if (!s.HasValue) { return null; }
            return new MetricSet(
                Long(s, "genuinePairs") ?? 0,
                Long(s, "impostorPairs") ?? 0,
                Array(s.Value, "tarAtFar").Select(t => ReadTarAtFar(t, "tar", "achievedFar")),
                Num(s, "eer"), Num(s, "eerThreshold"), Num(s, "auc"), Num(s, "bestAccuracy"), Num(s, "bestAccuracyThreshold"),
                Num(s, "kFoldAccuracyMean"), Num(s, "kFoldAccuracyStdDev"), Num(s, "dPrime"),
                Long(s, "failedGenuinePairs") ?? 0, Long(s, "failedImpostorPairs") ?? 0, Num(s, "eerIntervalLow"), Num(s, "eerIntervalHigh"),
                ReadThresholdOutcome(Obj(s, "atThreshold")),
                Num(s, "balancedAccuracy"), Num(s, "balancedAccuracyThreshold"), Num(s, "kFoldBalancedAccuracyMean"), Num(s, "kFoldBalancedAccuracyStdDev"));
        }

        private static ReportThresholdOutcome ReadThresholdOutcome(JsonElement? a)
        {
            if (!a.HasValue) { return null; }
            return new ReportThresholdOutcome(Num(a, "threshold") ?? double.NaN, Num(a, "tar"), Num(a, "tarIntervalLow"), Num(a, "tarIntervalHigh"),
                Num(a, "far"), Num(a, "farIntervalLow"), Num(a, "farIntervalHigh"));
        }

        private static ReportTarAtFar ReadTarAtFar(JsonElement t, string rateName, string achievedName) =>
            new ReportTarAtFar(
                Num(t, "targetFar") ?? double.NaN,
                t.TryGetProperty("supported", out var sup) && sup.ValueKind == JsonValueKind.True,
                Num(t, rateName), Num(t, "threshold"), Num(t, achievedName), Long(t, "falseAcceptBudget") ?? 0,
                Num(t, "lowestSupportableFar"), Num(t, "intervalLow"), Num(t, "intervalHigh"));

        private static ScoreSummary ReadSummary(JsonElement? s) =>
            s.HasValue ? new ScoreSummary(Long(s, "count") ?? 0, Num(s, "mean"), Num(s, "standardDeviation"), Num(s, "minimum"), Num(s, "maximum")) : null;

        private static JsonElement? Obj(JsonElement? e, string name) =>
            e.HasValue && e.Value.ValueKind == JsonValueKind.Object && e.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : (JsonElement?)null;

        private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : new List<JsonElement>();

        private static string Str(JsonElement? e, string name) =>
            e.HasValue && e.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static IEnumerable<string> Strings(JsonElement? e, string name) =>
            e.HasValue ? Array(e.Value, name).Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()) : Enumerable.Empty<string>();

        private static double? Num(JsonElement? e, string name) =>
            e.HasValue && e.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null;

        private static long? Long(JsonElement? e, string name) =>
            e.HasValue && e.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : (long?)null;

        private static DateTimeOffset? Date(JsonElement? e, string name)
        {
            var s = Str(e, name);
            return s != null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) ? d : (DateTimeOffset?)null;
        }
    }
}
