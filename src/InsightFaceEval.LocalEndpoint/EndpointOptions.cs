using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Configuration;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>
    /// Command-line options (<c>--name value</c>; also settable as environment variables through ASP.NET Core's
    /// configuration). Every option has a default that behaves like a healthy, unlimited service.
    /// </summary>
    public sealed class EndpointOptions
    {
        public static readonly string[] DefaultFaultKinds = { "500", "503", "drop", "slow", "malformed" };
        public static readonly string[] KnownFaultKinds = { "500", "503", "drop", "slow", "malformed", "dimension", "unnormalized" };

        /// <summary>The allow-list: model name to its specification (a dimension for the deterministic embedder).</summary>
        public IReadOnlyDictionary<string, string> Models { get; private set; }

        /// <summary>Time each request spends "computing", inside the concurrency cap.</summary>
        public TimeSpan ServiceTime { get; private set; }

        /// <summary>Requests computed at once; more wait their turn (0: no cap).</summary>
        public int MaxConcurrency { get; private set; }

        /// <summary>Token-bucket rate limit in requests per second (0: none); over it, 429 with Retry-After.</summary>
        public double RateLimit { get; private set; }

        /// <summary>Token-bucket capacity (requests allowed at once after a quiet spell).</summary>
        public int RateBurst { get; private set; }

        /// <summary>Retry-After as delta seconds ("seconds") or an HTTP date ("date").</summary>
        public string RetryAfterFormat { get; private set; }

        /// <summary>A literal Retry-After to send instead (hostile-server tests: "999999999", a date in 2100, "soon").</summary>
        public string RetryAfterValue { get; private set; }

        /// <summary>Share of requests (0..1) that meet an injected fault.</summary>
        public double FaultRate { get; private set; }

        /// <summary>Which faults to inject.</summary>
        public IReadOnlyList<string> FaultKinds { get; private set; }

        /// <summary>Seed of the fault draw: the same seed gives the same faults to the same images and attempts.</summary>
        public int FaultSeed { get; private set; }

        /// <summary>How long a "slow" fault holds the reply (past the client's timeout, typically).</summary>
        public TimeSpan SlowReply { get; private set; }

        /// <summary>When set, a request whose URL lacks this text gets 401 (an "expired URL").</summary>
        public string RequireToken { get; private set; }

        /// <summary>
        /// "shortest": each number as the shortest text that reads back as the same double (Python's json does this).
        /// "near-ties": each number just past the midpoint between two float32 values, so only a client that reads a
        /// double first and then rounds to float32 (as numpy does) stores the same bytes.
        /// </summary>
        public string JsonNumbers { get; private set; }

        /// <summary>Model names to reply with instead of the requested one (requested=replied).</summary>
        public IReadOnlyDictionary<string, string> ReplyModelNames { get; private set; }

        /// <summary>Requests whose Content-Length is over this get 413 (0: no limit).</summary>
        public long MaxRequestBytes { get; private set; }

        /// <summary>
        /// InsightFace Server's route (<c>POST .../v1/embeddings</c>): when set, a request without
        /// <c>Authorization: Bearer &lt;key&gt;</c> gets 401 (authentication on).
        /// </summary>
        public string ApiKey { get; private set; }

        /// <summary>The model that answers InsightFace Server's route (it has one); default: buffalo, else the first listed.</summary>
        public string ServerModel { get; private set; }

        /// <summary>Collection ids InsightFace Server's route knows; another gets 404 collection_not_found (empty: any).</summary>
        public IReadOnlyList<string> Collections { get; private set; }

        /// <summary>Exit when this process ends (set by test harnesses so no endpoint outlives its test).</summary>
        public int? ParentProcessId { get; private set; }

        public static EndpointOptions From(IConfiguration config)
        {
            var o = new EndpointOptions
            {
                Models = ParseMap(config["models"] ?? "buffalo=512,dingo=512,eagle=512,eagle-2=1024", "models"),
                ServiceTime = TimeSpan.FromMilliseconds(Number(config, "service-time-ms", 0)),
                MaxConcurrency = (int)Number(config, "max-concurrency", 0),
                RateLimit = Number(config, "rate-limit", 0),
                RateBurst = Math.Max(1, (int)Number(config, "rate-burst", 1)),
                RetryAfterFormat = (config["retry-after"] ?? "seconds").Trim().ToLowerInvariant(),
                RetryAfterValue = string.IsNullOrWhiteSpace(config["retry-after-value"]) ? null : config["retry-after-value"],
                FaultRate = Number(config, "fault-rate", 0),
                FaultSeed = (int)Number(config, "fault-seed", 1),
                SlowReply = TimeSpan.FromMilliseconds(Number(config, "slow-ms", 5000)),
                RequireToken = string.IsNullOrWhiteSpace(config["require-token"]) ? null : config["require-token"],
                JsonNumbers = (config["json-numbers"] ?? "shortest").Trim().ToLowerInvariant(),
                ReplyModelNames = string.IsNullOrWhiteSpace(config["reply-model-name"])
                    ? new Dictionary<string, string>() : ParseMap(config["reply-model-name"], "reply-model-name"),
                ParentProcessId = string.IsNullOrWhiteSpace(config["parent-pid"]) ? null : (int)Number(config, "parent-pid", 0),
                MaxRequestBytes = (long)Number(config, "max-request-bytes", 0),
                ApiKey = string.IsNullOrWhiteSpace(config["api-key"]) ? null : config["api-key"].Trim(),
                Collections = (config["collections"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            o.ServerModel = string.IsNullOrWhiteSpace(config["server-model"])
                ? (o.Models.ContainsKey("buffalo") ? "buffalo" : o.Models.Keys.FirstOrDefault())
                : config["server-model"].Trim();
            if (o.ServerModel != null && !o.Models.ContainsKey(o.ServerModel))
            {
                throw new ArgumentException($"--server-model '{o.ServerModel}' is not one of --models.");
            }

            var kinds = config["fault-kinds"];
            o.FaultKinds = string.IsNullOrWhiteSpace(kinds)
                ? DefaultFaultKinds
                : kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).ToArray();
            foreach (var kind in o.FaultKinds)
            {
                if (!KnownFaultKinds.Contains(kind)) { throw new ArgumentException($"Unknown fault kind '{kind}'. Known: {string.Join(", ", KnownFaultKinds)}."); }
            }

            if (o.FaultRate < 0 || o.FaultRate > 1) { throw new ArgumentException("--fault-rate must be between 0 and 1."); }
            if (o.RetryAfterFormat != "seconds" && o.RetryAfterFormat != "date") { throw new ArgumentException("--retry-after must be 'seconds' or 'date'."); }
            if (o.JsonNumbers != "shortest" && o.JsonNumbers != "near-ties") { throw new ArgumentException("--json-numbers must be 'shortest' or 'near-ties'."); }
            return o;
        }

        private static double Number(IConfiguration config, string key, double fallback)
        {
            var text = config[key];
            if (string.IsNullOrWhiteSpace(text)) { return fallback; }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                throw new ArgumentException($"--{key} must be a non-negative number, not '{text}'.");
            }

            return value;
        }

        private static Dictionary<string, string> ParseMap(string text, string key)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = entry.IndexOf('=');
                if (eq <= 0 || eq == entry.Length - 1) { throw new ArgumentException($"--{key} entries look like name=value, not '{entry}'."); }
                map[entry[..eq].Trim()] = entry[(eq + 1)..].Trim();
            }

            return map;
        }

        public override string ToString()
        {
            var parts = new List<string> { "models " + string.Join(", ", Models.Select(kv => kv.Key + "=" + kv.Value)) };
            if (ServiceTime > TimeSpan.Zero) { parts.Add($"service time {ServiceTime.TotalMilliseconds:0.#} ms"); }
            if (MaxConcurrency > 0) { parts.Add($"concurrency cap {MaxConcurrency}"); }
            if (RateLimit > 0) { parts.Add($"rate limit {RateLimit:0.##}/s (burst {RateBurst}, Retry-After as {RetryAfterFormat})"); }
            if (FaultRate > 0) { parts.Add($"faults {FaultRate:P1} of {string.Join("/", FaultKinds)} (seed {FaultSeed})"); }
            if (RequireToken != null) { parts.Add("token required"); }
            if (MaxRequestBytes > 0) { parts.Add($"requests up to {MaxRequestBytes} bytes"); }
            parts.Add($"InsightFace Server route serves '{ServerModel}'" + (ApiKey != null ? ", API key required" : string.Empty)
                + (Collections.Count > 0 ? ", collections " + string.Join(", ", Collections) : string.Empty));
            if (JsonNumbers != "shortest") { parts.Add("json numbers " + JsonNumbers); }
            return string.Join("; ", parts);
        }
    }
}
