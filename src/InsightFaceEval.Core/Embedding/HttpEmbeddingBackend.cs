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
            : this(url, timeout, maxConnections, ReplyLimits.DefaultMaxReplyBytes)
        {
        }

        /// <param name="maxReplyBytes">Largest reply body read; a longer one is refused as ReplyTooLarge, unread past the limit.</param>
        public HttpEmbeddingBackend(Uri url, TimeSpan timeout, int maxConnections, long maxReplyBytes)
        {
            _url = url ?? throw new ArgumentNullException(nameof(url));
            if (maxReplyBytes < 1024) { throw new ArgumentOutOfRangeException(nameof(maxReplyBytes), "The reply limit must be at least 1 KB."); }
            if (!TryValidateUrl(url.OriginalString, out _, out var problem)) { throw new ArgumentException(problem, nameof(url)); }
            _transport = new HttpTransport(timeout, maxConnections, maxReplyBytes);
            Scrubber = new SecretScrubber(url);
        }

        /// <inheritdoc />
        public string EndpointIdentity => _url.OriginalString;

        /// <inheritdoc />
        public bool ModelsNeedConfirmation => true;

        /// <inheritdoc />
        public bool IsLocal => false;

        /// <summary>Removes the URL and its parts from any text before it is shown.</summary>
        public SecretScrubber Scrubber { get; }

        /// <summary>
        /// Checks a URL without echoing it: absolute, http or https. The problem text never contains the URL.
        /// </summary>
        public static bool TryValidateUrl(string text, out Uri url, out string problem)
        {
            url = null;
            problem = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                problem = "The endpoint URL is empty.";
                return false;
            }

            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                url = null;
                problem = "The endpoint URL is not an absolute http:// or https:// URL. Use the URL exactly as delivered by email.";
                return false;
            }

            return true;
        }

        /// <inheritdoc />
        public async Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
        {
            var boundary = MultipartBody.NewBoundary();
            var body = MultipartBody.Build(boundary, request.Model, request.FileName, request.Image);
            var reply = await _transport.PostMultipartAsync(_url, body, boundary, null, cancellationToken).ConfigureAwait(false);
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
                    var name = reply.ModelName == null ? null : Scrubber.ScrubServerText(reply.ModelName, ReplyLimits.MaxModelNameLength);
                    return name == reply.ModelName ? reply : new FeatureReply(name, reply.Feature, reply.FaceCount);
                }
                catch (ReplyTooLargeException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.ReplyTooLarge, ex.Message, status, null, "ReplyTooLarge");
                }
                catch (FormatException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.InvalidReply, Scrubber.Scrub(ex.Message), status);
                }
            }

            var detail = ServerDetail(body);
            var what = response.StatusText + (detail == null ? string.Empty : ": " + detail);
            if (status == 429)
            {
                throw new EmbeddingBackendException(BackendFailure.RateLimited, Scrubber.Scrub($"The endpoint is rate limiting ({what})."), 429, response.RetryAfter);
            }

            BackendFailure failure;
            if (status >= 500) { failure = BackendFailure.ServerError; }
            else if (status == 401 || status == 403) { failure = BackendFailure.Unauthorized; }
            else if (status == 404 || status == 405 || status == 410 || (status >= 300 && status < 400)) { failure = BackendFailure.EndpointNotFound; }
            else if (status == 408) { failure = BackendFailure.Timeout; }
            else if (status == 413 || status == 415 || status == 422) { failure = BackendFailure.ImageRejected; }
            else { failure = BackendFailure.Rejected; }
            throw new EmbeddingBackendException(failure, Scrubber.Scrub($"The endpoint refused the request ({what})."), status);
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
            return Scrubber.ScrubServerText(text, 200);
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

    /// <summary>Replaces the endpoint URL, and any part of it that could identify it, with a placeholder.</summary>
    public sealed class SecretScrubber
    {
        public const string Placeholder = "<endpoint>";
        private readonly string[] _secrets;

        public SecretScrubber(Uri url)
        {
            var whole = new System.Collections.Generic.List<string>
            {
                url.OriginalString, url.AbsoluteUri, url.GetLeftPart(UriPartial.Path), url.Authority, url.Host,
                url.PathAndQuery, url.AbsolutePath, url.Query, url.UserInfo, Uri.UnescapeDataString(url.PathAndQuery),
            };
            var pieces = new System.Collections.Generic.List<string>();
            foreach (var segment in url.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries)) { pieces.Add(segment); pieces.Add(Uri.UnescapeDataString(segment)); }
            foreach (var pair in url.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                pieces.Add(pair);
                var eq = pair.IndexOf('=');
                if (eq >= 0) { pieces.Add(pair.Substring(eq + 1)); pieces.Add(Uri.UnescapeDataString(pair.Substring(eq + 1))); }
            }

            // Longest first, so a whole URL is replaced before its pieces. Short path words ('v1', 'extract') identify
            // nothing and would only garble messages; tokens and keys are long.
            whole = whole.ConvertAll(p => (p ?? string.Empty).Trim('?')).FindAll(p => p.Trim('/').Length >= 4);
            pieces = pieces.FindAll(p => !string.IsNullOrEmpty(p) && p.Length >= 8);
            whole.AddRange(pieces);
            _secrets = whole.ToArray();
            Array.Sort(_secrets, (a, b) => b.Length.CompareTo(a.Length));
        }

        /// <summary>
        /// Removes the URL and its parts from a message, also where the text carries them percent-encoded (a server
        /// echoing its request path), and drops control and bidi characters so no text can drive a terminal.
        /// </summary>
        public string Scrub(string text)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            return ScrubPlain(ServerText.StripControls(ServerText.Unescape(text)));
        }

        /// <summary>
        /// Text a server chose (a 422 <c>detail</c>, an error page's first line) made safe to show: scrubbed as
        /// <see cref="Scrub"/>, trimmed, and cut to <paramref name="maxLength"/> characters after scrubbing, so a cut
        /// can never leave a partial secret the scrubber no longer recognises.
        /// </summary>
        public string ScrubServerText(string text, int maxLength)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            return ServerText.Bound(Scrub(text).Trim(), maxLength);
        }

        private string ScrubPlain(string text)
        {
            foreach (var secret in _secrets)
            {
                if (text.IndexOf(secret, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    text = ReplaceIgnoreCase(text, secret, Placeholder);
                }
            }

            return text;
        }

        private static string ReplaceIgnoreCase(string text, string value, string replacement)
        {
            var sb = new StringBuilder(text.Length);
            var start = 0;
            int index;
            while ((index = text.IndexOf(value, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                sb.Append(text, start, index - start).Append(replacement);
                start = index + value.Length;
            }

            return sb.Append(text, start, text.Length - start).ToString();
        }
    }
}
