using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
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
        private readonly HttpClient _client;
        private readonly TimeSpan _timeout;
        private readonly long _maxReplyBytes;

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
            _maxReplyBytes = maxReplyBytes;
            if (!endpoint.IsValid) { throw new ArgumentException(endpoint.Problem, nameof(endpoint)); }
            _url = endpoint.Reveal();
            _timeout = timeout;
            var handler = new HttpClientHandler
            {
                // A redirect could carry the image to a host the user never chose.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                MaxConnectionsPerServer = Math.Max(2, maxConnections),
            };
            _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            // .NET Framework otherwise waits up to 350 ms for a 100-continue on every POST.
            _client.DefaultRequestHeaders.ExpectContinue = false;
            _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("InsightFaceEval", ModuleInfo.Version));
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
            var boundary = NewBoundary();
            var body = MultipartBody.Build(boundary, request.Model, request.FileName, request.Image);
            using (var message = new HttpRequestMessage(HttpMethod.Post, _url))
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var content = new ByteArrayContent(body);
                content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + boundary);
                message.Content = content;
                timeout.CancelAfter(_timeout);
                HttpResponseMessage response = null;
                byte[] replyBody;
                try
                {
                    // Headers first, then at most the reply limit of the body: an endless or huge body costs no memory.
                    response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    replyBody = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
                }
                catch (ReplyTooLargeException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.ReplyTooLarge, ex.Message, 200, null, "ReplyTooLarge");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new EmbeddingBackendException(BackendFailure.Timeout,
                        $"The endpoint did not reply within {_timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.");
                }
                catch (HttpRequestException ex)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw Unreachable(ex) ?? new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The connection to the endpoint failed: " + DescribeTransportError(ex) + ".", null, null, null, HostedHint(BackendFailure.ConnectionFailed));
                }
                catch (IOException ex)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The connection to the endpoint failed: " + DescribeTransportError(ex) + ".", null, null, null, HostedHint(BackendFailure.ConnectionFailed));
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    // Whatever else the transport throws may quote the URL: report its kind only.
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The request failed: " + ex.GetType().Name + ".", null, null, null, HostedHint(BackendFailure.ConnectionFailed));
                }

                using (response)
                {
                    return Interpret(response, replyBody);
                }
            }
        }

        /// <summary>
        /// The body of a reply, read no further than the limit. A 200 over it is refused; an error reply over it only
        /// loses its detail text (its status still says what happened).
        /// </summary>
        private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken token)
        {
            try
            {
                return await ReadBodyCoreAsync(response, token).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        private async Task<byte[]> ReadBodyCoreAsync(HttpResponseMessage response, CancellationToken token)
        {
            var ok = (int)response.StatusCode == 200;
            var length = response.Content.Headers.ContentLength;
            if (length.HasValue && length.Value > _maxReplyBytes)
            {
                if (ok) { throw new ReplyTooLargeException(ReplyLimits.TooLarge(_maxReplyBytes)); }
                return null;
            }

            using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
            using (token.Register(() => response.Dispose()))
            {
                try
                {
                    return await ReplyLimits.ReadBoundedAsync(stream, _maxReplyBytes, token).ConfigureAwait(false);
                }
                catch (ReplyTooLargeException) when (!ok)
                {
                    return null;
                }
                catch (Exception ex) when (token.IsCancellationRequested && !(ex is OperationCanceledException) && !(ex is ReplyTooLargeException))
                {
                    // The timeout disposed the reply under the read: that is a timeout, not a broken connection.
                    throw new OperationCanceledException(token);
                }
            }
        }

        private FeatureReply Interpret(HttpResponseMessage response, byte[] body)
        {
            var status = (int)response.StatusCode;
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
            var what = $"HTTP {status} {response.ReasonPhrase}".Trim() + (detail == null ? string.Empty : ": " + detail);
            if (status == 429)
            {
                return ThrowRateLimited(response, what);
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

        private FeatureReply ThrowRateLimited(HttpResponseMessage response, string what)
        {
            TimeSpan? wait = null;
            if (response.Headers.TryGetValues("Retry-After", out var values))
            {
                // Measure a date against the server's own clock when it sent one, so a skewed local clock does not
                // matter. The session caps the wait (-MaximumRetryAfterSec).
                var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
                foreach (var value in values)
                {
                    wait = RetryAfterHeader.Parse(value, now);
                    break;
                }
            }

            throw new EmbeddingBackendException(BackendFailure.RateLimited, Endpoint.Scrub($"The endpoint is rate limiting ({what})."), 429, wait);
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

        /// <summary>A refused connection or an unknown host: no request left, so the session need not retry at first.</summary>
        private static EmbeddingBackendException Unreachable(Exception ex)
        {
            switch (TransportFailures.Classify(ex))
            {
                case TransportFailureKind.ConnectionRefused:
                    return new EmbeddingBackendException(BackendFailure.Unreachable, "The connection was refused: nothing listens at the endpoint's address and port.", null, null, null, HostedHint(BackendFailure.Unreachable));
                case TransportFailureKind.HostNotFound:
                    return new EmbeddingBackendException(BackendFailure.Unreachable, "The endpoint's host name could not be resolved (DNS).", null, null, null, HostedHint(BackendFailure.Unreachable));
                default:
                    return null;
            }
        }

        private static string DescribeTransportError(Exception ex)
        {
            // The transport's own messages often name the host and port; describe the failure by its kind instead.
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException socket) { return "socket error " + socket.SocketErrorCode; }
                if (e is System.Security.Authentication.AuthenticationException) { return "the TLS handshake failed"; }
                if (e is IOException && e.InnerException == null) { return "the connection was closed before the reply was complete"; }
            }

            return "the connection was closed before the reply was complete";
        }

        // Shared: GetBytes is thread-safe, and creating a generator per request cost more than the bytes.
        private static readonly RandomNumberGenerator BoundaryRandom = RandomNumberGenerator.Create();

        private static string NewBoundary()
        {
            var bytes = new byte[16];
            BoundaryRandom.GetBytes(bytes);
            return "----InsightFaceEval" + EmbeddingStore.Hex(bytes);
        }

        public void Dispose() => _client.Dispose();
    }

    /// <summary>The multipart/form-data body of one request, built in one buffer with no re-encoding of the image.</summary>
    public static class MultipartBody
    {
        public static byte[] Build(string boundary, string model, string fileName, byte[] image)
        {
            var head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"model_name\"\r\n\r\n"
                + model + "\r\n"
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
