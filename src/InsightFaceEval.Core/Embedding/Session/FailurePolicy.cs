namespace InsightFaceEval.Embedding
{
    /// <summary>What the session does after a failed call.</summary>
    public enum FailureResponse
    {
        /// <summary>Wait as asked (or back off), slow down, send again; bounded by a count of its own.</summary>
        WaitAndResend,

        /// <summary>Back off and send again, up to the retry count; then the pair fails.</summary>
        Retry,

        /// <summary>The run cannot go on: stop it with one terminating error.</summary>
        StopRun,

        /// <summary>The model itself is refused: report it once, send nothing more for it.</summary>
        RejectModel,

        /// <summary>This pair fails; the run goes on.</summary>
        FailPair,
    }

    /// <summary>
    /// The one table that turns a backend's <see cref="BackendFailure"/> into what the session does and how it is
    /// reported. It knows failure kinds only, never a transport: every backend (hosted HTTP, local ONNX, any other)
    /// gets the same retries, pauses and stops for the same kind of failure.
    /// </summary>
    public static class FailurePolicy
    {
        /// <param name="failure">The kind of failure the backend met.</param>
        /// <param name="modelConfirmed">The model has answered once in this run.</param>
        /// <param name="anySucceeded">Any request of this run has succeeded.</param>
        public static FailureResponse Decide(BackendFailure failure, bool modelConfirmed, bool anySucceeded)
        {
            switch (failure)
            {
                case BackendFailure.RateLimited:
                    return FailureResponse.WaitAndResend;

                // Nothing to connect to before anything worked: a wrong address or no network, which retries cannot
                // cure. Later in a run that has worked it is an outage and is retried.
                case BackendFailure.Unreachable:
                    return anySucceeded ? FailureResponse.Retry : FailureResponse.StopRun;

                case BackendFailure.ServerError:
                case BackendFailure.Timeout:
                case BackendFailure.ConnectionFailed:
                case BackendFailure.InvalidReply:
                    return FailureResponse.Retry;

                case BackendFailure.Rejected:
                    return modelConfirmed ? FailureResponse.FailPair : FailureResponse.RejectModel;

                case BackendFailure.Unauthorized:
                case BackendFailure.EndpointNotFound:
                    return FailureResponse.StopRun;

                default:
                    return FailureResponse.FailPair;
            }
        }

        /// <summary>
        /// True when retries ran out while the model's first request was still unanswered and the connection was the
        /// problem: nothing will get through, so the run stops instead of failing image after image.
        /// </summary>
        public static bool StopsWhenRetriesRunOut(BackendFailure failure, bool probing, bool modelConfirmed) =>
            probing && !modelConfirmed && (failure == BackendFailure.ConnectionFailed || failure == BackendFailure.Unreachable);

        /// <summary>The ErrorId suffix for a pair or run that ends with <paramref name="failure"/> (after retries when it is retried).</summary>
        public static string ProblemId(BackendFailure failure, FailureResponse response)
        {
            switch (failure)
            {
                case BackendFailure.Timeout: return "Timeout";
                case BackendFailure.ConnectionFailed: return "ConnectionFailed";
                case BackendFailure.Unreachable: return response == FailureResponse.StopRun ? "EndpointUnreachable" : "ConnectionFailed";
                case BackendFailure.InvalidReply: return "InvalidReply";
                case BackendFailure.ReplyTooLarge: return "ReplyTooLarge";
                case BackendFailure.RateLimited: return "RateLimited";
                case BackendFailure.Rejected: return response == FailureResponse.RejectModel ? "ModelRejected" : "RequestRejected";
                case BackendFailure.ImageRejected: return "ImageRejected";
                case BackendFailure.Unauthorized: return "Unauthorized";
                case BackendFailure.EndpointNotFound: return "EndpointNotFound";
                case BackendFailure.ServerError: return "ServerError";
                default: return "RequestRejected";
            }
        }

        /// <summary>The category that goes with <see cref="ProblemId"/>.</summary>
        public static ProblemCategory Category(BackendFailure failure, FailureResponse response)
        {
            switch (failure)
            {
                case BackendFailure.Timeout: return ProblemCategory.OperationTimeout;
                case BackendFailure.ConnectionFailed:
                case BackendFailure.Unreachable: return ProblemCategory.ConnectionError;
                case BackendFailure.InvalidReply:
                case BackendFailure.ReplyTooLarge: return ProblemCategory.InvalidResult;
                case BackendFailure.RateLimited: return ProblemCategory.LimitsExceeded;
                case BackendFailure.Rejected: return response == FailureResponse.RejectModel ? ProblemCategory.InvalidArgument : ProblemCategory.InvalidData;
                case BackendFailure.ImageRejected: return ProblemCategory.InvalidData;
                case BackendFailure.Unauthorized: return ProblemCategory.PermissionDenied;
                case BackendFailure.ServerError:
                case BackendFailure.EndpointNotFound: return ProblemCategory.ResourceUnavailable;
                default: return ProblemCategory.InvalidData;
            }
        }

        /// <summary>
        /// What to do about it, when the backend gave no hint of its own (<see cref="EmbeddingBackendException.RecommendedAction"/>).
        /// Backend-neutral: a backend that knows its transport (the hosted URL, a local file) says more.
        /// </summary>
        public static string DefaultRecommendedAction(BackendFailure failure, FailureResponse response)
        {
            switch (response)
            {
                case FailureResponse.StopRun:
                    switch (failure)
                    {
                        case BackendFailure.Unauthorized: return "Check the endpoint's address and credentials.";
                        case BackendFailure.EndpointNotFound: return "Check the endpoint's address.";
                        default: return "Check the endpoint's address, the network, any proxy or VPN, then run again: stored results are kept.";
                    }

                case FailureResponse.RejectModel:
                    return "Check the model name; model names are case-sensitive.";
                case FailureResponse.Retry:
                    return "Run the same command again later: only what is not stored is sent.";
                case FailureResponse.WaitAndResend:
                    return "Lower -ThrottleLimit or set -MaximumRequestsPerSecond to your account's rate limit, then run again: only what is not stored is sent.";
                default:
                    switch (failure)
                    {
                        case BackendFailure.ReplyTooLarge: return "Check the model name and the endpoint; a face embedding has a few hundred to a few thousand values.";
                        case BackendFailure.ImageRejected: return "Check that the file is a PNG face crop.";
                        default: return null;
                    }
            }
        }
    }
}
