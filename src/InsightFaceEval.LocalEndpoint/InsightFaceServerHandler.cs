using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>
    /// InsightFace Server's <c>POST /v1/embeddings</c> (any path ending so, as behind a reverse proxy), written from the
    /// contract in deepinsight/insightface <c>server/docs/api.md</c> and <c>server/docs/openapi.snapshot.json</c>:
    /// multipart <c>image</c> and optional <c>collection_id</c>; <c>Authorization: Bearer &lt;key&gt;</c> when
    /// <c>--api-key</c> is set (else 401 <c>unauthorized</c> with <c>WWW-Authenticate: Bearer</c>); a reply of one
    /// face with its embedding, the <c>model</c> summary, <c>processing_ms</c> and <c>request_id</c>; errors as
    /// <c>{"error": {"code", "message", "details"}, "request_id"}</c>: 422 <c>face_not_found</c> for no face, 422
    /// <c>invalid_image</c>, 413 <c>request_too_large</c>, 503 <c>request_timeout</c>, 404 <c>collection_not_found</c>.
    /// The rate limit, concurrency cap, faults and statistics are the hosted route's.
    /// </summary>
    public sealed class InsightFaceServerHandler : ExtractionHandler
    {
        public const string Route = "/v1/embeddings";

        public InsightFaceServerHandler(EndpointOptions options, EmbedderRegistry registry, EndpointStats stats)
            : base(options, registry, stats)
        {
        }

        /// <summary>True for a path this handler serves.</summary>
        public static bool Serves(PathString path) =>
            (path.Value ?? string.Empty).TrimEnd('/').EndsWith(Route, StringComparison.Ordinal);

        protected override string RequiredFields => "image is required";

        protected override bool IsAuthorized(HttpRequest request)
        {
            if (Options.ApiKey == null) { return true; }
            var header = request.Headers.Authorization.ToString();
            var space = header.IndexOf(' ');
            if (space <= 0 || !header[..space].Equals("bearer", StringComparison.OrdinalIgnoreCase)) { return false; }
            var key = Encoding.UTF8.GetBytes(header[(space + 1)..]);
            return CryptographicOperations.FixedTimeEquals(key, Encoding.UTF8.GetBytes(Options.ApiKey));
        }

        protected override Task Unauthorized(HttpContext context)
        {
            context.Response.Headers["WWW-Authenticate"] = "Bearer";
            return Error(context, 401, "unauthorized", "A valid Bearer API key is required.");
        }

        /// <summary>The server has one model bundle: every request goes to it.</summary>
        protected override string ModelOf(IFormCollection form) => Options.ServerModel;

        protected override Func<HttpContext, Task> Refusal(IFormCollection form)
        {
            var collection = form["collection_id"].ToString();
            if (string.IsNullOrEmpty(collection) || Options.Collections.Count == 0 || Options.Collections.Contains(collection, StringComparer.Ordinal))
            {
                return null;
            }

            return context => Error(context, 404, "collection_not_found", $"Collection '{collection}' was not found.");
        }

        protected override Task Error(HttpContext context, int status, string code, string message) =>
            WriteJsonAsync(context, status,
                "{\"error\": {\"code\": " + Json(code) + ", \"message\": " + Json(message) + ", \"details\": {}}, \"request_id\": " + Json(RequestId(context)) + "}",
                context.RequestAborted);

        protected override string TruncatedReply(string model) => "{\"faces\": [{\"embedding\": [0.0123, -0.04";

        protected override Task WriteFeatureAsync(HttpContext context, string model, double[] feature, CancellationToken aborted)
        {
            if (feature.Length == 0)
            {
                return Error(context, 422, "face_not_found", "No usable face was detected.");
            }

            var face = "{\"bbox\": {\"pixels\": {\"x\": 0, \"y\": 0, \"width\": 112, \"height\": 112}, \"normalized\": {\"left\": 0.0, \"top\": 0.0, \"width\": 1.0, \"height\": 1.0}}, "
                + "\"landmarks\": [], \"detection_score\": 0.99, \"quality\": {\"score\": 1.0, \"sharpness\": 1.0, \"brightness\": 1.0, \"pose\": 1.0}, "
                + "\"embedding\": " + FeatureList(feature) + "}";
            var summary = "{\"model_id\": " + Json(model) + ", \"model_version\": \"1\", \"model_digest\": " + Json(Digest(model))
                + ", \"embedding_dimension\": " + feature.Length.ToString(CultureInfo.InvariantCulture)
                + ", \"preprocessing_version\": \"1\", \"provider\": \"CPUExecutionProvider\", \"models\": [], \"license\": null}";
            var elapsed = (DateTimeOffset.UtcNow - StartedAt(context)).TotalMilliseconds;
            return WriteJsonAsync(context, 200,
                "{\"faces\": [" + face + "], \"model\": " + summary + ", \"processing_ms\": " + Math.Round(elapsed, 3).ToString("R", CultureInfo.InvariantCulture)
                + ", \"request_id\": " + Json(RequestId(context)) + "}", aborted);
        }

        private static string Digest(string model) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model)));

        /// <summary>One UUID per request, in the body and the x-request-id header, as the server sends it.</summary>
        private static string RequestId(HttpContext context)
        {
            if (!(context.Items["request_id"] is string id))
            {
                id = Guid.NewGuid().ToString();
                context.Items["request_id"] = id;
                context.Items["started"] = DateTimeOffset.UtcNow;
                if (!context.Response.HasStarted) { context.Response.Headers["x-request-id"] = id; }
            }

            return id;
        }

        private static DateTimeOffset StartedAt(HttpContext context) =>
            context.Items["started"] is DateTimeOffset started ? started : DateTimeOffset.UtcNow;

        /// <summary>Sets the request id before anything is written.</summary>
        public Task HandleServerAsync(HttpContext context)
        {
            RequestId(context);
            return HandleAsync(context);
        }
    }
}
