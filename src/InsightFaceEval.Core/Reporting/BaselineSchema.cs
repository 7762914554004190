using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// The baseline is a gate: a field of the wrong type must never read as "nothing to check" (a pass). Before a
    /// baseline is compared, every field the comparison uses is checked against docs/report-schema.md: models is a
    /// non-empty list; each model has a unique, short name and a completed metric set; pair counts are whole numbers
    /// of pairs; rates lie in [0, 1]; a supported FAR target has its TAR. Anything else is a list of problems.
    /// </summary>
    public static class BaselineSchema
    {
        /// <summary>Longest model name accepted (a server's name is a short identifier).</summary>
        public const int MaxNameLength = 200;

        private const int MaxModels = 1000;
        private const int MaxTargets = 100;
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>
        /// True when <paramref name="json"/> claims to be a report (an object with a string schemaVersion); what does
        /// not is no report at all, which the report reader says in its own words.
        /// </summary>
        public static bool ClaimsToBeReport(string json)
        {
            try
            {
                using (var doc = JsonDocument.Parse(json ?? string.Empty, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }))
                {
                    return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("schemaVersion", out var v) && v.ValueKind == JsonValueKind.String;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>What is wrong with <paramref name="json"/> as a baseline; empty when it can be checked against.</summary>
        public static IReadOnlyList<string> Problems(string json)
        {
            var problems = new List<string>();
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json ?? string.Empty, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                problems.Add("it is not valid JSON: " + ex.Message);
                return problems;
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    problems.Add("the document is not a JSON object");
                    return problems;
                }

                if (!root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"'models' must be a list of models, not {Kind(root, "models")}");
                    return problems;
                }

                var count = models.GetArrayLength();
                if (count == 0) { problems.Add("'models' is empty: there is nothing to check against"); }
                if (count > MaxModels) { problems.Add($"'models' lists {count} models; at most {MaxModels} are read"); return problems; }
                var names = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var model in models.EnumerateArray())
                {
                    CheckModel(model, $"models[{index}]", names, problems);
                    index++;
                }
            }

            return problems;
        }

        private static void CheckModel(JsonElement model, string at, HashSet<string> names, List<string> problems)
        {
            if (model.ValueKind != JsonValueKind.Object) { problems.Add($"{at} must be an object, not {Describe(model)}"); return; }
            if (!model.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            {
                problems.Add($"{at}.name must be a non-empty string, not {Kind(model, "name")}");
            }
            else
            {
                var text = name.GetString();
                if (text.Length > MaxNameLength) { problems.Add($"{at}.name is {text.Length:N0} characters long; at most {MaxNameLength} are accepted"); }
                else if (!names.Add(text)) { problems.Add($"{at}.name '{text}' appears twice"); }
                else { at = $"model '{text}'"; }
            }

            Rate(model, "failureToAcquireRate", at, problems, optional: true);
            if (!model.TryGetProperty("completed", out var completed) || completed.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{at}: 'completed' must be an object of metrics, not {Kind(model, "completed")}");
                return;
            }

            Count(completed, "genuinePairs", at, problems);
            Count(completed, "impostorPairs", at, problems);
            Rate(completed, "eer", at, problems, optional: true);
            Rate(completed, "auc", at, problems, optional: true);
            if (!completed.TryGetProperty("tarAtFar", out var targets)) { return; }
            if (targets.ValueKind != JsonValueKind.Array) { problems.Add($"{at}: 'completed.tarAtFar' must be a list, not {Describe(targets)}"); return; }
            if (targets.GetArrayLength() > MaxTargets) { problems.Add($"{at}: 'completed.tarAtFar' lists more than {MaxTargets} targets"); return; }
            foreach (var t in targets.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.Object) { problems.Add($"{at}: a tarAtFar entry must be an object, not {Describe(t)}"); continue; }
                if (!t.TryGetProperty("targetFar", out var far) || far.ValueKind != JsonValueKind.Number || !far.TryGetDouble(out var f) || !(f > 0 && f <= 1))
                {
                    problems.Add($"{at}: a tarAtFar entry's targetFar must be a number in (0, 1], not {Kind(t, "targetFar")}");
                    continue;
                }

                var where = $"{at} TAR@FAR={f.ToString("R", Inv)}";
                if (!t.TryGetProperty("supported", out var supported) || (supported.ValueKind != JsonValueKind.True && supported.ValueKind != JsonValueKind.False))
                {
                    problems.Add($"{where}: 'supported' must be true or false, not {Kind(t, "supported")}");
                    continue;
                }

                Rate(t, "tar", where, problems, optional: supported.ValueKind == JsonValueKind.False);
            }
        }

        private static void Count(JsonElement e, string name, string at, List<string> problems)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || n < 0 || n > (1L << 53))
            {
                problems.Add($"{at}: 'completed.{name}' must be a whole number of pairs, not {Kind(e, name)}");
            }
        }

        private static void Rate(JsonElement e, string name, string at, List<string> problems, bool optional)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                if (!optional) { problems.Add($"{at}: '{name}' is missing"); }
                return;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || double.IsNaN(d) || d < 0 || d > 1)
            {
                problems.Add($"{at}: '{name}' must be a rate between 0 and 1{(optional ? " or null" : string.Empty)}, not {Describe(v)}");
            }
        }

        private static string Kind(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var v) ? Describe(v) : "missing";

        private static string Describe(JsonElement v)
        {
            switch (v.ValueKind)
            {
                case JsonValueKind.Object: return "an object";
                case JsonValueKind.Array: return "a list";
                case JsonValueKind.String: return "the string \"" + Short(v.GetString()) + "\"";
                case JsonValueKind.Number: return Short(v.GetRawText());
                case JsonValueKind.True: return "true";
                case JsonValueKind.False: return "false";
                case JsonValueKind.Null: return "null";
                default: return "nothing";
            }
        }

        private static string Short(string s) => s == null ? string.Empty : s.Length <= 40 ? s : s.Substring(0, 40) + "...";
    }
}
