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
    public static partial class ReportJson
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
            foreach (var t in s.TarAtFar) { WriteTarAtFar(w, t); }
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

        // An unsupported target has no rate, threshold or interval: "insufficient", never a number.
        private static void WriteTarAtFar(Utf8JsonWriter w, TarAtFar t)
        {
            var ok = t.IsSupported;
            w.WriteStartObject();
            w.WriteNumber("targetFar", t.TargetFar);
            w.WriteBoolean("supported", ok);
            WriteNumber(w, "tar", ok ? t.Tar : null);
            WriteNumber(w, "threshold", ok ? t.Threshold : null);
            WriteNumber(w, "achievedFar", ok ? t.AchievedFar : null);
            w.WriteNumber("falseAcceptBudget", t.FalseAcceptBudget);
            WriteNumber(w, "lowestSupportableFar", t.LowestSupportableFar);
            WriteNumber(w, "intervalLow", ok ? t.TarLower : null);
            WriteNumber(w, "intervalHigh", ok ? t.TarUpper : null);
            w.WriteEndObject();
        }

        // The same entry shape as tarAtFar (schema 1.0 names: targetFar, falseAcceptBudget, lowestSupportableFar), with
        // the rates named tpir and achievedFpir; the interval is the bootstrap's over identities (null without one).
        private static void WriteTpirAtFpir(Utf8JsonWriter w, TpirAtFpir t)
        {
            var ok = t.IsSupported;
            w.WriteStartObject();
            w.WriteNumber("targetFar", t.TargetFpir);
            w.WriteBoolean("supported", ok);
            WriteNumber(w, "tpir", ok ? t.Tpir : null);
            WriteNumber(w, "threshold", ok ? t.Threshold : null);
            WriteNumber(w, "achievedFpir", ok ? t.AchievedFpir : null);
            w.WriteNumber("falseAcceptBudget", t.FalsePositiveBudget);
            WriteNumber(w, "lowestSupportableFar", t.LowestSupportableFpir);
            WriteNumber(w, "intervalLow", ok ? t.TpirLower : null);
            WriteNumber(w, "intervalHigh", ok ? t.TpirUpper : null);
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

        private static void WriteDifference(Utf8JsonWriter w, MetricDifference d)
        {
            w.WriteStartObject();
            w.WriteString("metric", d.Metric);
            if (d.PairSet.HasValue) { w.WriteString("pairSet", d.PairSet.Value.ToString()); }
            WriteNumber(w, "targetFar", d.TargetFar);
            WriteNumber(w, "referenceValue", d.ReferenceValue);
            WriteNumber(w, "differenceValue", d.DifferenceValue);
            WriteNumber(w, "difference", d.Difference);
            WriteNumber(w, "intervalLow", d.Lower);
            WriteNumber(w, "intervalHigh", d.Upper);
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
            foreach (var t in i.TpirAtFpir) { WriteTpirAtFpir(w, t); }
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
    }
}
