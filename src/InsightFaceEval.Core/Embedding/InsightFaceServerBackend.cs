using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>Which API the URL speaks (Get-FaceEmbedding -Api).</summary>
    public enum EndpointApi
    {
        /// <summary>The hosted feature-extraction endpoint of the evaluation (protocol.md): the URL exactly as delivered.</summary>
        Hosted = 0,

        /// <summary>The vendor's self-hosted InsightFace Server: a base URL, <c>POST /v1/embeddings</c>, an optional API key.</summary>
        InsightFaceServer = 1,
    }

    /// <summary>
    /// InsightFace Server's <c>POST /v1/embeddings</c>: multipart <c>image</c> and optional <c>collection_id</c>, with
    /// <c>Authorization: Bearer &lt;api key&gt;</c> when a key is given (the contract: deepinsight/insightface
    /// <c>server/docs/api.md</c>, "Common behavior" and "POST /v1/embeddings"; <c>server/docs/openapi.snapshot.json</c>,
    /// path <c>/v1/embeddings</c> with <c>bearerAuth</c>; see <see cref="InsightFaceServerReply"/> for the replies).
    /// Its outcomes map onto the hosted backend's: <c>422 face_not_found</c> is a failure to acquire (an empty feature,
    /// stored as NoFace), <c>413</c> and other 422s refuse the image, <c>503 request_timeout</c> is a timeout (retried),
    /// other 5xx are server errors (retried), 401/403 are Unauthorized (the run stops), 429 is a rate limit.
    /// Neither the URL nor the key ever reaches a message: server text is scrubbed of both.
    /// </summary>
    public sealed class InsightFaceServerBackend : IEmbeddingBackend
    {
        /// <summary>The route under the server's base URL.</summary>
        public const string EmbeddingsPath = "v1/embeddings";

        private const string KeyPlaceholder = "<api key>";
        private readonly Uri _url;
        private readonly HttpTransport _transport;
        private readonly AuthenticationHeaderValue _authorization;
        private readonly string _apiKey;
        private readonly string _collectionId;

        /// <param name="baseUrl">The server's base URL (confidential); <c>/v1/embeddings</c> is added unless it is already there.</param>
        /// <param name="apiKey">The API key (confidential), or null/empty to send no Authorization header (authentication off).</param>
        /// <param name="collectionId">The Collection whose detection profile the server uses, or null for the system profile.</param>
        public InsightFaceServerBackend(Uri baseUrl, string apiKey, string collectionId, TimeSpan timeout, int maxConnections)
            : this(baseUrl, apiKey, collectionId, timeout, maxConnections, ReplyLimits.DefaultMaxReplyBytes)
        {
        }

        public InsightFaceServerBackend(Uri baseUrl, string apiKey, string collectionId, TimeSpan timeout, int maxConnections, long maxReplyBytes)
        {
            if (baseUrl == null) { throw new ArgumentNullException(nameof(baseUrl)); }
            var address = EndpointAddress.FromUri(baseUrl);
            if (!address.IsValid) { throw new ArgumentException(address.Problem, nameof(baseUrl)); }
            string problem;
            if (!TryValidateApiKey(apiKey, out problem)) { throw new ArgumentException(problem, nameof(apiKey)); }
            if (!TryValidateCollectionId(collectionId, out problem)) { throw new ArgumentException(problem, nameof(collectionId)); }
            _url = EmbeddingsUrl(baseUrl);
            _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
            _authorization = _apiKey == null ? null : new AuthenticationHeaderValue("Bearer", _apiKey);
            _collectionId = string.IsNullOrEmpty(collectionId) ? null : collectionId;
            _transport = new HttpTransport(timeout, maxConnections, maxReplyBytes);
            Endpoint = EndpointAddress.FromUri(_url);
        }

        /// <summary>
        /// The embeddings URL and the Collection: a different Collection may detect differently, so it is another
        /// endpoint for the store's fingerprint. The key is not part of it (rotating a key changes no result).
        /// </summary>
        public string EndpointIdentity => _url.OriginalString + (_collectionId == null ? string.Empty : "\ncollection_id=" + _collectionId);

        /// <summary>
        /// True: the server has one model, but a refusal that is not about the image (an unknown Collection, a model
        /// mismatch, a wrong key) should cost one request, not one per worker.
        /// </summary>
        public bool ModelsNeedConfirmation => true;

        public bool IsLocal => false;

        /// <summary>The embeddings URL: it also removes the URL and its parts from any text before it is shown.</summary>
        public EndpointAddress Endpoint { get; }

        /// <summary><paramref name="baseUrl"/> with <c>v1/embeddings</c> added to its path (kept when already there; the query stays).</summary>
        public static Uri EmbeddingsUrl(Uri baseUrl)
        {
            var builder = new UriBuilder(baseUrl);
            var path = builder.Path.TrimEnd('/');
            if (!path.EndsWith("/" + EmbeddingsPath, StringComparison.OrdinalIgnoreCase))
            {
                path = path + "/" + EmbeddingsPath;
            }

            builder.Path = path;
            return builder.Uri;
        }

        /// <summary>
        /// An API key must fit an HTTP header as a bearer token: visible ASCII, no spaces. The problem never quotes the key.
        /// Null or empty is valid (no header is sent).
        /// </summary>
        public static bool TryValidateApiKey(string apiKey, out string problem)
        {
            problem = null;
            if (string.IsNullOrEmpty(apiKey)) { return true; }
            foreach (var c in apiKey)
            {
                if (c < 0x21 || c > 0x7E)
                {
                    problem = "The API key holds a character that cannot go into an HTTP header (a space, a line break or a non-ASCII character); check that it was copied whole.";
                    return false;
                }
            }

            return true;
        }

        /// <summary>A Collection id as the server accepts them: <c>_default</c>, or 1-64 letters, digits, '.', '_', '-' starting with a letter or digit.</summary>
        public static bool TryValidateCollectionId(string collectionId, out string problem)
        {
            problem = null;
            if (collectionId == null || collectionId == "_default") { return true; }
            var ok = collectionId.Length >= 1 && collectionId.Length <= 64 && char.IsLetterOrDigit(collectionId[0]) && collectionId[0] < 0x80;
            foreach (var c in collectionId)
            {
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) { ok = false; }
            }

            if (!ok) { problem = "A Collection id is _default, or 1 to 64 letters, digits, '.', '_' or '-' starting with a letter or digit."; }
            return ok;
        }

        /// <inheritdoc />
        public async Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
        {
            var fields = new List<KeyValuePair<string, string>>();
            if (_collectionId != null) { fields.Add(new KeyValuePair<string, string>("collection_id", _collectionId)); }
            var boundary = MultipartBody.NewBoundary();
            var body = MultipartBody.Build(boundary, fields, request.FileName, request.Image);
            var reply = await _transport.PostMultipartAsync(_url, body, boundary, _authorization, cancellationToken).ConfigureAwait(false);
            return Interpret(reply);
        }

        private FeatureReply Interpret(HttpReply reply)
        {
            if (reply.Status == 200)
            {
                try
                {
                    var parsed = InsightFaceServerReply.Parse(reply.Body);
                    var name = parsed.ModelId == null ? null : Clean(parsed.ModelId, ReplyLimits.MaxModelNameLength);

                    // No face carrying an embedding is the same outcome as 422 face_not_found: nothing to embed.
                    return new FeatureReply(name, parsed.Embedding);
                }
                catch (ReplyTooLargeException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.ReplyTooLarge, ex.Message, 200, null, "ReplyTooLarge");
                }
                catch (FormatException ex)
                {
                    throw new EmbeddingBackendException(BackendFailure.InvalidReply, Clean(ex.Message, 400), 200);
                }
            }

            var error = InsightFaceServerError.Parse(reply.Body);
            var status = reply.Status;
            if (status == 422 && error.Code == "face_not_found")
            {
                // A failure to acquire: the hosted endpoint's empty feature, so the same NoFace record and error.
                return new FeatureReply(null, Array.Empty<float>());
            }

            var what = Describe(reply, error);
            if (status == 429)
            {
                throw new EmbeddingBackendException(BackendFailure.RateLimited, $"The server is rate limiting ({what}).", 429, reply.RetryAfter);
            }

            if (status == 401 || status == 403)
            {
                var key = _apiKey == null ? " No API key was sent." : " The API key was sent and refused.";
                throw new EmbeddingBackendException(BackendFailure.Unauthorized, $"The server refused the request ({what}).{key}", status);
            }

            throw new EmbeddingBackendException(FailureFor(status, error.Code), $"The server refused the request ({what}).", status);
        }

        private static BackendFailure FailureFor(int status, string code)
        {
            if (status == 503 && code == "request_timeout") { return BackendFailure.Timeout; }
            if (status == 408) { return BackendFailure.Timeout; }
            if (status >= 500) { return BackendFailure.ServerError; }
            if (status == 413 || status == 415 || status == 422) { return BackendFailure.ImageRejected; }

            // 404 with the server's own code for a missing resource (an unknown Collection) refuses the setup, not the
            // route: the other 404s, and a missing route, mean the URL does not lead to the server.
            if (status == 404 && code != null && code != "route_not_found") { return BackendFailure.Rejected; }
            if (status == 404 || status == 405 || status == 410 || (status >= 300 && status < 400)) { return BackendFailure.EndpointNotFound; }
            return BackendFailure.Rejected;
        }

        /// <summary>"HTTP 422 Unprocessable Entity, invalid_image: The image could not be decoded.; request_id ...", scrubbed.</summary>
        private string Describe(HttpReply reply, InsightFaceServerError error)
        {
            var text = reply.StatusText;
            if (error.Code != null) { text += ", " + Clean(error.Code, 64); }
            if (error.Message != null) { text += ": " + Clean(error.Message, 200); }
            if (error.RequestId != null) { text += "; request_id " + Clean(error.RequestId, 64); }
            return text;
        }

        /// <summary>Server text made safe to show: no URL part, no API key, no control characters, bounded.</summary>
        private string Clean(string text, int maxLength)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            var scrubbed = RemoveKey(Endpoint.Scrub(RemoveKey(text)));
            return ServerText.Bound(scrubbed.Trim(), maxLength);
        }

        private string RemoveKey(string text) =>
            _apiKey == null || text.IndexOf(_apiKey, StringComparison.Ordinal) < 0 ? text : text.Replace(_apiKey, KeyPlaceholder);

        public void Dispose() => _transport.Dispose();

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "InsightFace Server backend ({0})", EndpointAddress.Placeholder);
    }
}
