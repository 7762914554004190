using System;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Where <see cref="ExtractionSession"/> sends one image for one model. The session owns everything around the
    /// call (store, resume, deduplication, concurrency, rate limit, retries, progress, output); a backend only makes
    /// the call and says what kind of failure it met (<see cref="BackendFailure"/>; <see cref="FailurePolicy"/> is the
    /// one table of what the session does for each kind). <see cref="HttpEmbeddingBackend"/> speaks the hosted protocol;
    /// <see cref="FaceEmbedderBackend"/> runs in-process <see cref="IFaceEmbedder"/>s (the local ONNX engine). Every
    /// transport goes through this seam: a new one is a new implementation, never a change to the session.
    /// </summary>
    public interface IEmbeddingBackend : IDisposable
    {
        /// <summary>
        /// Text that tells endpoints apart (for HTTP, the URL). The store keeps only a salted fingerprint of it,
        /// never the text itself.
        /// </summary>
        string EndpointIdentity { get; }

        /// <summary>
        /// True when a model name may be refused by the other side (a remote server and its allow-list): the session
        /// then sends one request per model and waits for its answer before sending more, so a refusal costs one
        /// request, not one per worker.
        /// </summary>
        bool ModelsNeedConfirmation { get; }

        /// <summary>True for in-process models: messages then speak of the local model, not of an endpoint.</summary>
        bool IsLocal { get; }

        /// <summary>
        /// Embeds one image. Returns the reply (an empty feature means no face). Throws
        /// <see cref="EmbeddingBackendException"/> for every failure the session should act on, and
        /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> was cancelled.
        /// </summary>
        Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken);
    }

    /// <summary>One image for one model.</summary>
    public sealed class EmbeddingRequest
    {
        public EmbeddingRequest(string model, byte[] image, string fileName, string sha256)
        {
            Model = model ?? throw new ArgumentNullException(nameof(model));
            Image = image ?? throw new ArgumentNullException(nameof(image));
            FileName = fileName;
            Sha256 = sha256;
        }

        /// <summary>The model name as the user asked for it.</summary>
        public string Model { get; }

        /// <summary>The file's bytes, unchanged.</summary>
        public byte[] Image { get; }

        /// <summary>The file name to send (neutral unless the user asked for the real one).</summary>
        public string FileName { get; }

        /// <summary>SHA-256 of <see cref="Image"/>, lowercase hex.</summary>
        public string Sha256 { get; }

        public override string ToString() => $"{Model}: {FileName}";
    }

    /// <summary>
    /// What went wrong with one call. The kind alone decides what the session does next (retry, pause, stop the run,
    /// refuse the model, fail the image): a backend maps its transport's failures onto these kinds and the session
    /// never looks at status codes or protocol details.
    /// </summary>
    public enum BackendFailure
    {
        /// <summary>The service is unwell (5xx): retry with backoff.</summary>
        ServerError,

        /// <summary>No reply within the timeout: retry with backoff.</summary>
        Timeout,

        /// <summary>The connection failed or dropped: retry with backoff.</summary>
        ConnectionFailed,

        /// <summary>
        /// Nothing to connect to (connection refused, unknown host): the request never left. Before any request of
        /// the run has succeeded this is a wrong URL or a missing network, and the run stops at once; later it is a
        /// passing outage and is retried as <see cref="ConnectionFailed"/>.
        /// </summary>
        Unreachable,

        /// <summary>A 200 whose body breaks the protocol (not JSON, no list of finite numbers): retry with backoff.</summary>
        InvalidReply,

        /// <summary>
        /// A reply over the size limits (body bytes, vector length): refused for this image, not retried (a server that
        /// sends one such reply will send another), and not read past the limit.
        /// </summary>
        ReplyTooLarge,

        /// <summary>Over the rate limit (429): wait <see cref="EmbeddingBackendException.RetryAfter"/>, slow down, send again.</summary>
        RateLimited,

        /// <summary>
        /// A 4xx refusal that is not about this image: before the model has worked once it means the model name is
        /// not accepted (stop the run); after that it refuses this one request.
        /// </summary>
        Rejected,

        /// <summary>Refused for this image only (too large, not an image): no retry.</summary>
        ImageRejected,

        /// <summary>Authentication or authorisation failed (401, 403): stop the run.</summary>
        Unauthorized,

        /// <summary>The endpoint is not there (404, 405, 410, redirects): stop the run.</summary>
        EndpointNotFound,
    }

    /// <summary>
    /// A classified failure of one call. Messages never contain the endpoint URL: backends build them from status
    /// codes and error kinds, not from the transport's own exception text.
    /// </summary>
    public sealed class EmbeddingBackendException : Exception
    {
        public EmbeddingBackendException(BackendFailure failure, string message, int? statusCode = null, TimeSpan? retryAfter = null, string problem = null, string recommendedAction = null)
            : base(message)
        {
            Failure = failure;
            StatusCode = statusCode;
            RetryAfter = retryAfter;
            Problem = problem;
            RecommendedAction = recommendedAction;
        }

        /// <summary>
        /// What the user can do when this failure stops the run or refuses a model, in the backend's own terms (where
        /// its address comes from, which model names it knows); null for the session's backend-neutral advice.
        /// </summary>
        public string RecommendedAction { get; }

        /// <summary>A more specific ErrorId suffix than the failure kind gives, when there is one.</summary>
        public string Problem { get; }

        public BackendFailure Failure { get; }

        /// <summary>The HTTP status code, when there was a reply.</summary>
        public int? StatusCode { get; }

        /// <summary>How long the server asked to wait (Retry-After), when it said.</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>True for failures that another attempt may cure.</summary>
        public bool IsTransient =>
            Failure == BackendFailure.ServerError || Failure == BackendFailure.Timeout
            || Failure == BackendFailure.ConnectionFailed || Failure == BackendFailure.Unreachable || Failure == BackendFailure.InvalidReply;
    }
}
