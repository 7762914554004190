using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>
    /// One request of the hosted protocol: multipart <c>model_name</c> + <c>image</c> in, <c>{"model_name", "feature"}</c>
    /// out, with the configured rate limit, concurrency cap, size limit, service time and faults on the way. Another API
    /// (<see cref="InsightFaceServerHandler"/>) overrides how a request is authorised and read and how replies look;
    /// the rate limit, cap, faults and statistics stay the same.
    /// </summary>
    public class ExtractionHandler
    {
        private static readonly JsonSerializerOptions Text = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private static readonly FormOptions Form = new FormOptions { MemoryBufferThreshold = 64 * 1024 * 1024, MultipartBodyLengthLimit = 64 * 1024 * 1024 };
        private readonly EndpointOptions _options;
        private readonly EmbedderRegistry _registry;
        private readonly EndpointStats _stats;
        private readonly TokenBucket _bucket;
        private readonly SemaphoreSlim _cap;
        private readonly FaultPlan _faults;

        public ExtractionHandler(EndpointOptions options, EmbedderRegistry registry, EndpointStats stats)
        {
            _options = options;
            _registry = registry;
            _stats = stats;
            _bucket = options.RateLimit > 0 ? new TokenBucket(options.RateLimit, options.RateBurst) : null;
            _cap = options.MaxConcurrency > 0 ? new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency) : null;
            _faults = new FaultPlan(options.FaultRate, options.FaultKinds, options.FaultSeed);
        }

        public async Task HandleAsync(HttpContext context)
        {
            var aborted = context.RequestAborted;
            _stats.Arrived();
            var request = context.Request;
            if (request.Path.StartsWithSegments("/_"))
            {
                await Reply(context, 404, "not found");
                return;
            }

            if (!IsAuthorized(request))
            {
                _stats.Unauthorized();
                await Unauthorized(context);
                return;
            }

            if (_bucket != null && !_bucket.TryTake(out var wait))
            {
                _stats.RateLimited();
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers["Retry-After"] = _options.RetryAfterValue != null ? _options.RetryAfterValue
                    : _options.RetryAfterFormat == "date"
                    ? DateTimeOffset.UtcNow.AddSeconds(seconds + 1).ToString("R", CultureInfo.InvariantCulture)
                    : seconds.ToString(CultureInfo.InvariantCulture);
                await Error(context, 429, "rate_limited", "rate limit exceeded");
                return;
            }

            if (_options.MaxRequestBytes > 0 && request.ContentLength > _options.MaxRequestBytes)
            {
                _stats.BadRequest();
                await Error(context, 413, "request_too_large", "The request body is too large.");
                return;
            }

            if (!request.HasFormContentType || !(request.ContentType ?? string.Empty).StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                _stats.BadRequest();
                await Error(context, 400, "invalid_request", "expected multipart/form-data with model_name and image");
                return;
            }

            context.Features.Set<IFormFeature>(new FormFeature(request, Form));
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(aborted);
            }
            catch (Exception ex) when (ex is InvalidDataException || ex is IOException || ex is BadHttpRequestException)
            {
                _stats.BadRequest();
                if (!aborted.IsCancellationRequested) { await Error(context, 400, "invalid_request", "the multipart body could not be read"); }
                return;
            }

            var file = form.Files.GetFile("image");
            var model = ModelOf(form);
            if (string.IsNullOrEmpty(model) || file == null)
            {
                _stats.BadRequest();
                await Error(context, 422, "invalid_request", RequiredFields);
                return;
            }

            var refusal = Refusal(form);
            if (refusal != null || !_registry.TryGet(model, out var embedder))
            {
                _stats.Rejected();
                await (refusal != null ? refusal(context) : Error(context, 400, "model_not_available", $"model '{model}' is not available for this account"));
                return;
            }

            byte[] image;
            using (var buffer = new MemoryStream((int)file.Length))
            {
                await file.CopyToAsync(buffer, aborted);
                image = buffer.ToArray();
            }

            var sha = Convert.ToHexStringLower(SHA256.HashData(image));
            var attempt = _stats.Processing(sha, model, file.FileName);
            if (!LooksLikeImage(image))
            {
                await Error(context, 422, "invalid_image", "the image could not be decoded");
                return;
            }

            if (_cap != null) { await _cap.WaitAsync(aborted); }
            _stats.Enter();
            try
            {
                if (_options.ServiceTime > TimeSpan.Zero) { await Task.Delay(_options.ServiceTime, aborted); }
                var fault = _faults.Draw(sha, model, attempt);
                if (fault != null) { _stats.Fault(sha, model, fault); }
                switch (fault)
                {
                    case "500":
                        await Error(context, 500, "internal_error", "internal server error (injected)");
                        return;
                    case "503":
                        await Error(context, 503, "request_timeout", "service unavailable (injected)");
                        return;
                    case "drop":
                        context.Abort();
                        return;
                    case "slow":
                        await Task.Delay(_options.SlowReply, aborted);
                        break;
                    case "malformed":
                        context.Response.StatusCode = 200;
                        context.Response.ContentType = "application/json";
                        await context.Response.WriteAsync(TruncatedReply(model), aborted);
                        return;
                }

                double[] feature;
                try
                {
                    feature = embedder is DeterministicFaceEmbedder deterministic
                        ? deterministic.EmbedExact(image)
                        : Array.ConvertAll(embedder.Embed(new[] { image }, aborted)[0], v => (double)v);
                }
                catch (InvalidDataException)
                {
                    // A real model decodes the image: damaged bytes behind a valid signature are the client's problem
                    // (4xx, not retried), as the hosted service answers them, not a server error worth retrying.
                    await Error(context, 422, "invalid_image", "the image could not be decoded");
                    return;
                }

                if (fault == "dimension" && feature.Length > 1)
                {
                    feature = Normalise(feature.AsSpan(0, Math.Max(1, feature.Length / 2)).ToArray());
                }
                else if (fault == "unnormalized")
                {
                    feature = Array.ConvertAll(feature, v => v * 2);
                }

                var replyName = _options.ReplyModelNames.TryGetValue(model, out var alias) ? alias : model;
                await WriteFeatureAsync(context, replyName, feature, aborted);
                if (!aborted.IsCancellationRequested) { _stats.Delivered(sha, model, feature.Length == 0); }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                _stats.Aborted();
            }
            finally
            {
                _stats.Leave();
                _cap?.Release();
            }
        }

        /// <summary>The options this handler runs with.</summary>
        protected EndpointOptions Options => _options;

        /// <summary>What a request lacking its fields is told.</summary>
        protected virtual string RequiredFields => "both model_name and image are required";

        /// <summary>Hosted: an "expired URL" lacks the required token.</summary>
        protected virtual bool IsAuthorized(HttpRequest request) =>
            _options.RequireToken == null || (request.Path.Value + request.QueryString.Value).Contains(_options.RequireToken, StringComparison.Ordinal);

        protected virtual Task Unauthorized(HttpContext context) => Reply(context, 401, "invalid or expired credentials");

        /// <summary>The model that answers: hosted, the <c>model_name</c> field.</summary>
        protected virtual string ModelOf(IFormCollection form) => form["model_name"].ToString();

        /// <summary>A refusal of the request's other fields (writes the reply), or null to go on.</summary>
        protected virtual Func<HttpContext, Task> Refusal(IFormCollection form) => null;

        /// <summary>An error reply in this API's shape; hosted: <c>{"detail": message}</c>.</summary>
        protected virtual Task Error(HttpContext context, int status, string code, string message) => Reply(context, status, message);

        /// <summary>A 200 cut off in the middle of its feature list.</summary>
        protected virtual string TruncatedReply(string model) => "{\"model_name\": \"" + model + "\", \"feature\": [0.0123, -0.04";

        /// <summary>The reply for a computed feature (empty: no face); hosted: 200 <c>{"model_name", "feature"}</c> either way.</summary>
        protected virtual Task WriteFeatureAsync(HttpContext context, string model, double[] feature, CancellationToken aborted) =>
            WriteJsonAsync(context, 200, "{\"model_name\": " + JsonSerializer.Serialize(model, Text) + ", \"feature\": " + FeatureList(feature) + "}", aborted);

        /// <summary>The feature as a JSON list, numbers written as --json-numbers says.</summary>
        protected string FeatureList(double[] feature)
        {
            var nearTies = _options.JsonNumbers == "near-ties";
            var sb = new StringBuilder(8 + (feature.Length * 24));
            sb.Append('[');
            for (var i = 0; i < feature.Length; i++)
            {
                if (i > 0) { sb.Append(", "); }
                sb.Append(nearTies ? FeatureNumbers.NearTie(feature[i]) : FeatureNumbers.Shortest(feature[i]));
            }

            return sb.Append(']').ToString();
        }

        protected static async Task WriteJsonAsync(HttpContext context, int status, string json, CancellationToken aborted)
        {
            var body = Encoding.UTF8.GetBytes(json);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, aborted);
            await context.Response.CompleteAsync();
        }

        /// <summary>A JSON string literal.</summary>
        protected static string Json(string text) => JsonSerializer.Serialize(text, Text);

        private static double[] Normalise(double[] v)
        {
            double sum = 0;
            foreach (var x in v) { sum += x * x; }
            var norm = Math.Sqrt(sum);
            return norm == 0 ? v : Array.ConvertAll(v, x => x / norm);
        }

        private static bool LooksLikeImage(byte[] b)
        {
            if (b.Length < 12) { return false; }
            return (b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
                || (b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
                || (b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F' && b[8] == (byte)'W' && b[9] == (byte)'E' && b[10] == (byte)'B' && b[11] == (byte)'P')
                || (b[0] == (byte)'B' && b[1] == (byte)'M')
                || (b[0] == (byte)'G' && b[1] == (byte)'I' && b[2] == (byte)'F');
        }

        internal static Task Reply(HttpContext context, int status, string detail)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{\"detail\": " + JsonSerializer.Serialize(detail, Text) + "}");
        }
    }
}
