using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InsightFaceEval.Reporting
{
    // The reading half of ReportJson: every name read here is one ReportJson.cs writes (ReportJsonRoundTripTests).
    public static partial class ReportJson
    {
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
                    Array(i, "tpirAtFpir").Select(ReadTpirAtFpir),
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

        private static MetricDifference ReadDifference(JsonElement d) =>
            new MetricDifference(
                Str(d, "metric"), Num(d, "targetFar"), Num(d, "referenceValue"), Num(d, "differenceValue"), Num(d, "difference"),
                Num(d, "intervalLow"), Num(d, "intervalHigh"), Str(d, "betterModel"), Str(d, "verdict"),
                Enum.TryParse<PairSet>(Str(d, "pairSet") ?? string.Empty, false, out var pairSet) ? pairSet : (PairSet?)null);

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
                Array(s.Value, "tarAtFar").Select(ReadTarAtFar),
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

        // The counts behind a rate (false and true accepts) are not published: they read back as unknown (null).
        private static TarAtFar ReadTarAtFar(JsonElement t)
        {
            var ok = Supported(t);
            return new TarAtFar(
                Num(t, "targetFar") ?? double.NaN, ok, Long(t, "falseAcceptBudget") ?? 0, Num(t, "lowestSupportableFar") ?? double.NaN,
                ok ? Num(t, "tar") : null, ok ? Num(t, "threshold") : null, ok ? Num(t, "achievedFar") : null, null, null,
                ok ? Num(t, "intervalLow") : null, ok ? Num(t, "intervalHigh") : null);
        }

        private static TpirAtFpir ReadTpirAtFpir(JsonElement t)
        {
            var ok = Supported(t);
            return new TpirAtFpir(
                Num(t, "targetFar") ?? double.NaN, ok, Long(t, "falseAcceptBudget") ?? 0, Num(t, "lowestSupportableFar") ?? double.NaN,
                ok ? Num(t, "tpir") : null, ok ? Num(t, "threshold") : null, ok ? Num(t, "achievedFpir") : null, null)
            {
                TpirLower = ok ? Num(t, "intervalLow") : null,
                TpirUpper = ok ? Num(t, "intervalHigh") : null,
            };
        }

        private static bool Supported(JsonElement t) => t.TryGetProperty("supported", out var sup) && sup.ValueKind == JsonValueKind.True;

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
