using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The hosted feature-extraction protocol: <c>POST</c> the URL exactly as delivered, multipart form with
    /// <c>model_name</c> (text) and <c>image</c> (the file's bytes, unchanged, as application/octet-stream).
    /// </summary>
    public sealed class HttpEmbeddingBackend : IEmbeddingBackend
    {
        private readonly Uri _url;
        private readonly HttpTransport _transport;

        /// <param name="url">The endpoint URL (confidential: it is never put into a message).</param>
        /// <param name="timeout">Time allowed for one request, reply included.</param>
        /// <param name="maxConnections">Connections kept to the endpoint (the session's concurrency).</param>
        public HttpEmbeddingBackend(Uri url, TimeSpan timeout, int maxConnections)
            : this(EndpointAddress.FromUri(url), timeout, maxConnections, ReplyLimits.DefaultMaxReplyBytes)
        {
        }

        /// <param name="endpoint">The endpoint (confidential: it is never put into a message).</param>
        /// <param name="timeout">Time allowed for one request, reply included.</param>
        /// <param name="maxConnections">Connections kept to the endpoint (the session's concurrency).</param>
        public HttpEmbeddingBackend(EndpointAddress endpoint, TimeSpan timeout, int maxConnections)
            : this(endpoint, timeout, maxConnections, ReplyLimits.DefaultMaxReplyBytes)
        {
        }

        /// <param name="maxReplyBytes">Largest reply body read; a longer one is refused as ReplyTooLarge, unread past the limit.</param>
        public HttpEmbeddingBackend(Uri url, TimeSpan timeout, int maxConnections, long maxReplyBytes)
            : this(EndpointAddress.FromUri(url), timeout, maxConnections, maxReplyBytes)
        {
        }

        /// <param name="maxReplyBytes">Largest reply body read; a longer one is refused as ReplyTooLarge, unread past the limit.</param>
        public HttpEmbeddingBackend(EndpointAddress endpoint, TimeSpan timeout, int maxConnections, long maxReplyBytes)
        {
            Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            if (maxReplyBytes < 1024) { throw new ArgumentOutOfRangeException(nameof(maxReplyBytes), "The reply limit must be at least 1 KB."); }
            if (!endpoint.IsValid) { throw new ArgumentException(endpoint.Problem, nameof(endpoint)); }
            _url = endpoint.Reveal();
            _transport = new HttpTransport(timeout, maxConnections, maxReplyBytes);
        }

        /// <inheritdoc />
        public string EndpointIdentity => _url.OriginalString;

        /// <inheritdoc />
        public bool ModelsNeedConfirmation => true;

        /// <inheritdoc />
        public bool IsLocal => false;

        /// <summary>The endpoint: it also removes the URL and its parts from any text before it is shown.</summary>
        public EndpointAddress Endpoint { get; }

        /// <inheritdoc />
        public async Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
        {
            var boundary = MultipartBody.NewBoundary();
            var body = MultipartBody.Build(boundary, request.Model, request.FileName, request.Image);
            HttpReply reply;
            try
            {
                reply = await _transport.PostMultipartAsync(_url, body, boundary, null, cancellationToken).ConfigureAwait(false);
            }
            catch (EmbeddingBackendException ex) when (ex.RecommendedAction == null && HostedHint(ex.Failure) != null)
            {
                // The shared transport speaks for no service: add the hosted service's own advice.
                throw new EmbeddingBackendException(ex.Failure, ex.Message, ex.StatusCode, ex.RetryAfter, ex.Problem, HostedHint(ex.Failure));
            }

            return Interpret(reply);
        }

        private FeatureReply Interpret(HttpReply response)
        {
            var status = response.Status;
            var body = response.Body;
            if (status == 200)
            {
                try
                {
                    var reply = FeatureReply.Parse(body);
                    // The server's name goes into the store, the output and warnings: no control characters, no copy of
                    // the URL, a bounded length.
                    var name = reply.ModelName == null ? null : Endpoint.ScrubServerText(reply.ModelName, ReplyLimits.MaxModelNameLength);
                    return name == reply.ModelName ? reply : new FeatureReply(name, reply.Feature, reply.FaceCount);
                }
                catch (ReplyTooLargeException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.ReplyTooLarge, ex.Message, status, null, "ReplyTooLarge");
                }
                catch (FormatException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.InvalidReply, Endpoint.Scrub(ex.Message), status);
                }
            }

            var detail = ServerDetail(body);
            var what = response.StatusText + (detail == null ? string.Empty : ": " + detail);
            if (status == 429)
            {
                throw new EmbeddingBackendException(BackendFailure.RateLimited, Endpoint.Scrub($"The endpoint is rate limiting ({what})."), 429, response.RetryAfter);
            }

            BackendFailure failure;
            if (status >= 500) { failure = BackendFailure.ServerError; }
            else if (status == 401 || status == 403) { failure = BackendFailure.Unauthorized; }
            else if (status == 404 || status == 405 || status == 410 || (status >= 300 && status < 400)) { failure = BackendFailure.EndpointNotFound; }
            else if (status == 408) { failure = BackendFailure.Timeout; }
            else if (status == 413 || status == 415 || status == 422) { failure = BackendFailure.ImageRejected; }
            else { failure = BackendFailure.Rejected; }
            throw new EmbeddingBackendException(failure, Endpoint.Scrub($"The endpoint refused the request ({what})."), status, null, null, HostedHint(failure));
        }

        private string ServerDetail(byte[] body)
        {
            if (body == null || body.Length == 0 || body.Length > 64 * 1024) { return null; }
            string text = null;
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    text = FindMessage(doc.RootElement, 0);
                }
            }
            catch (JsonException)
            {
                // Plain-text error pages: keep a short first line only.
                text = Encoding.UTF8.GetString(body).Split('\n')[0];
                if (text.IndexOf('<') >= 0) { text = null; }
            }

            if (string.IsNullOrWhiteSpace(text)) { return null; }
            return Endpoint.ScrubServerText(text, 200);
        }

        private static string FindMessage(JsonElement element, int depth)
        {
            if (depth > 3) { return null; }
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Object:
                    foreach (var name in new[] { "detail", "message", "error", "msg" })
                    {
                        if (element.TryGetProperty(name, out var value))
                        {
                            var found = FindMessage(value, depth + 1);
                            if (found != null) { return found; }
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray()) { return FindMessage(item, depth + 1); }
                    return null;
                default:
                    return null;
            }
        }

        /// <summary>The hosted service's advice for a failure that stops the run or refuses a model; null where the session's is right.</summary>
        private static string HostedHint(BackendFailure failure)
        {
            switch (failure)
            {
                case BackendFailure.Unauthorized:
                case BackendFailure.EndpointNotFound:
                    return "Check the URL exactly as delivered; it is rotated when the evaluation window ends.";
                case BackendFailure.Rejected:
                    return "Use a model name your MOU lists (for example buffalo, dingo, eagle or eagle-2); model names are case-sensitive.";
                case BackendFailure.Unreachable:
                case BackendFailure.ConnectionFailed:
                    return "Check the URL exactly as delivered, the network, any proxy or VPN, then run again: stored results are kept.";
                default:
                    return null;
            }
        }

        public void Dispose() => _transport.Dispose();
    }

    /// <summary>The multipart/form-data body of one request, built in one buffer with no re-encoding of the image.</summary>
    public static class MultipartBody
    {
        // Shared: GetBytes is thread-safe, and creating a generator per request cost more than the bytes.
        private static readonly RandomNumberGenerator BoundaryRandom = RandomNumberGenerator.Create();

        /// <summary>A fresh random boundary.</summary>
        public static string NewBoundary()
        {
            var bytes = new byte[16];
            BoundaryRandom.GetBytes(bytes);
            return "----InsightFaceEval" + EmbeddingStore.Hex(bytes);
        }

        /// <summary>The hosted protocol's body: <c>model_name</c>, then <c>image</c>.</summary>
        public static byte[] Build(string boundary, string model, string fileName, byte[] image) =>
            Build(boundary, new[] { new KeyValuePair<string, string>("model_name", model) }, fileName, image);

        /// <summary>Text <paramref name="fields"/> in order (names are the caller's constants), then the <c>image</c> part.</summary>
        public static byte[] Build(string boundary, IEnumerable<KeyValuePair<string, string>> fields, string fileName, byte[] image)
        {
            var text = new StringBuilder();
            foreach (var field in fields)
            {
                text.Append("--").Append(boundary).Append("\r\n")
                    .Append("Content-Disposition: form-data; name=\"").Append(field.Key).Append("\"\r\n\r\n")
                    .Append(field.Value).Append("\r\n");
            }

            var head = text.ToString()
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"image\"; filename=\"" + EscapeFileName(fileName) + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
            var tail = "\r\n--" + boundary + "--\r\n";
            var headBytes = Encoding.UTF8.GetBytes(head);
            var tailBytes = Encoding.ASCII.GetBytes(tail);
            var body = new byte[headBytes.Length + image.Length + tailBytes.Length];
            Buffer.BlockCopy(headBytes, 0, body, 0, headBytes.Length);
            Buffer.BlockCopy(image, 0, body, headBytes.Length, image.Length);
            Buffer.BlockCopy(tailBytes, 0, body, headBytes.Length + image.Length, tailBytes.Length);
            return body;
        }

        /// <summary>Escapes a file name for a quoted form-data parameter as browsers do (WHATWG).</summary>
        public static string EscapeFileName(string fileName) =>
            (fileName ?? "image").Replace("\"", "%22").Replace("\r", "%0D").Replace("\n", "%0A");
    }
}
