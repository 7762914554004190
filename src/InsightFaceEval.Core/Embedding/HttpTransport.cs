using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// One multipart POST and its bounded reply, for every HTTP backend (the hosted protocol, InsightFace Server):
    /// no redirects, no cookies, a timeout for the whole exchange, at most <c>maxReplyBytes</c> of body read, and every
    /// transport failure turned into an <see cref="EmbeddingBackendException"/> whose message never quotes the URL.
    /// What the status and body mean is the backend's business.
    /// </summary>
    public sealed class HttpTransport : IDisposable
    {
        private readonly HttpClient _client;
        private readonly TimeSpan _timeout;
        private readonly long _maxReplyBytes;

        /// <param name="timeout">Time allowed for one request, reply included.</param>
        /// <param name="maxConnections">Connections kept to the endpoint (the session's concurrency).</param>
        /// <param name="maxReplyBytes">Largest reply body read; a longer 200 is refused as ReplyTooLarge, unread past the limit.</param>
        public HttpTransport(TimeSpan timeout, int maxConnections, long maxReplyBytes)
        {
            if (maxReplyBytes < 1024) { throw new ArgumentOutOfRangeException(nameof(maxReplyBytes), "The reply limit must be at least 1 KB."); }
            _maxReplyBytes = maxReplyBytes;
            _timeout = timeout;
            var handler = new HttpClientHandler
            {
                // A redirect could carry the image (and any credential) to a host the user never chose.
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

        /// <summary>
        /// Posts <paramref name="body"/> (multipart/form-data with <paramref name="boundary"/>) to <paramref name="url"/>
        /// and returns the status and the body read no further than the limit. Throws <see cref="EmbeddingBackendException"/>
        /// for a timeout, a failed connection or a 200 over the limit; <see cref="OperationCanceledException"/> only when
        /// <paramref name="cancellationToken"/> was cancelled.
        /// </summary>
        public async Task<HttpReply> PostMultipartAsync(Uri url, byte[] body, string boundary, AuthenticationHeaderValue authorization, CancellationToken cancellationToken)
        {
            using (var message = new HttpRequestMessage(HttpMethod.Post, url))
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var content = new ByteArrayContent(body);
                content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + boundary);
                message.Content = content;
                if (authorization != null) { message.Headers.Authorization = authorization; }
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
                    throw Unreachable(ex) ?? new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The connection to the endpoint failed: " + DescribeTransportError(ex) + ".");
                }
                catch (IOException ex)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The connection to the endpoint failed: " + DescribeTransportError(ex) + ".");
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    // Whatever else the transport throws may quote the URL: report its kind only.
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new EmbeddingBackendException(BackendFailure.ConnectionFailed, "The request failed: " + ex.GetType().Name + ".");
                }

                using (response)
                {
                    return new HttpReply((int)response.StatusCode, response.ReasonPhrase, replyBody, RetryAfterOf(response));
                }
            }
        }

        /// <summary>
        /// The Retry-After of a reply, measured against the server's own clock when it sent a Date, so a skewed local
        /// clock does not matter. The session caps the wait (-MaximumRetryAfterSec).
        /// </summary>
        private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
        {
            if (!response.Headers.TryGetValues("Retry-After", out var values)) { return null; }
            var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
            foreach (var value in values)
            {
                return RetryAfterHeader.Parse(value, now);
            }

            return null;
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

        /// <summary>A refused connection or an unknown host: no request left, so the session need not retry at first.</summary>
        private static EmbeddingBackendException Unreachable(Exception ex)
        {
            switch (TransportFailures.Classify(ex))
            {
                case TransportFailureKind.ConnectionRefused:
                    return new EmbeddingBackendException(BackendFailure.Unreachable, "The connection was refused: nothing listens at the endpoint's address and port.");
                case TransportFailureKind.HostNotFound:
                    return new EmbeddingBackendException(BackendFailure.Unreachable, "The endpoint's host name could not be resolved (DNS).");
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

        public void Dispose() => _client.Dispose();
    }

    /// <summary>A reply as the transport read it: status, reason, body (null when over the limit on an error), Retry-After.</summary>
    public sealed class HttpReply
    {
        public HttpReply(int status, string reasonPhrase, byte[] body, TimeSpan? retryAfter)
        {
            Status = status;
            ReasonPhrase = reasonPhrase;
            Body = body;
            RetryAfter = retryAfter;
        }

        public int Status { get; }

        public string ReasonPhrase { get; }

        public byte[] Body { get; }

        /// <summary>How long the server asked to wait, when it sent a readable Retry-After.</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>"HTTP 503 Service Unavailable", for messages.</summary>
        public string StatusText => $"HTTP {Status} {ReasonPhrase}".Trim();
    }
}
