using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    using static SessionHarness;

    /// <summary>
    /// Issue 13: retries, 429 pauses, stops and refusals follow the backend's failure kind alone, so every backend
    /// (hosted HTTP, local ONNX, a new REST server) gets the same handling, with its own advice where it gives one.
    /// </summary>
    public sealed class FailurePolicyTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-policy-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        /// <summary>A backend with no HTTP at all: no status codes, only failure kinds.</summary>
        private sealed class KindBackend : IEmbeddingBackend
        {
            private readonly Func<EmbeddingRequest, int, FeatureReply> _answer;
            private int _calls;

            public KindBackend(Func<EmbeddingRequest, int, FeatureReply> answer) => _answer = answer;

            public ConcurrentDictionary<string, int> Requests { get; } = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

            public string EndpointIdentity => "test:kinds";

            public bool ModelsNeedConfirmation => true;

            public bool IsLocal => false;

            public Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
            {
                Requests.AddOrUpdate(request.Model, 1, (_, n) => n + 1);
                return Task.FromResult(_answer(request, Interlocked.Increment(ref _calls)));
            }

            public void Dispose()
            {
            }
        }

        private EmbeddingStore Store() => EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store"));

        private static FeatureReply Unit(string model) => new FeatureReply(model, new[] { 0.6f, 0.8f }, 0);

        [Fact]
        public void EveryFailureKindHasAResponseAnErrorIdAndACategory()
        {
            foreach (BackendFailure failure in Enum.GetValues(typeof(BackendFailure)))
            {
                foreach (var confirmed in new[] { false, true })
                {
                    foreach (var succeeded in new[] { false, true })
                    {
                        var response = FailurePolicy.Decide(failure, confirmed, succeeded);
                        Assert.True(Enum.IsDefined(typeof(FailureResponse), response));
                        Assert.False(string.IsNullOrEmpty(FailurePolicy.ProblemId(failure, response)));
                        Assert.NotEqual(ProblemCategory.NotSpecified, FailurePolicy.Category(failure, response));
                    }
                }
            }
        }

        [Theory]
        [InlineData(BackendFailure.ServerError, false, true, FailureResponse.Retry, "ServerError", ProblemCategory.ResourceUnavailable)]
        [InlineData(BackendFailure.Timeout, true, true, FailureResponse.Retry, "Timeout", ProblemCategory.OperationTimeout)]
        [InlineData(BackendFailure.ConnectionFailed, true, true, FailureResponse.Retry, "ConnectionFailed", ProblemCategory.ConnectionError)]
        [InlineData(BackendFailure.InvalidReply, true, true, FailureResponse.Retry, "InvalidReply", ProblemCategory.InvalidResult)]
        [InlineData(BackendFailure.Unreachable, false, false, FailureResponse.StopRun, "EndpointUnreachable", ProblemCategory.ConnectionError)]
        [InlineData(BackendFailure.Unreachable, true, true, FailureResponse.Retry, "ConnectionFailed", ProblemCategory.ConnectionError)]
        [InlineData(BackendFailure.RateLimited, true, true, FailureResponse.WaitAndResend, "RateLimited", ProblemCategory.LimitsExceeded)]
        [InlineData(BackendFailure.Rejected, false, true, FailureResponse.RejectModel, "ModelRejected", ProblemCategory.InvalidArgument)]
        [InlineData(BackendFailure.Rejected, true, true, FailureResponse.FailPair, "RequestRejected", ProblemCategory.InvalidData)]
        [InlineData(BackendFailure.ImageRejected, true, true, FailureResponse.FailPair, "ImageRejected", ProblemCategory.InvalidData)]
        [InlineData(BackendFailure.ReplyTooLarge, true, true, FailureResponse.FailPair, "ReplyTooLarge", ProblemCategory.InvalidResult)]
        [InlineData(BackendFailure.Unauthorized, true, true, FailureResponse.StopRun, "Unauthorized", ProblemCategory.PermissionDenied)]
        [InlineData(BackendFailure.EndpointNotFound, true, true, FailureResponse.StopRun, "EndpointNotFound", ProblemCategory.ResourceUnavailable)]
        public void EachFailureKindMapsToOneResponse(BackendFailure failure, bool confirmed, bool succeeded, FailureResponse expected, string id, ProblemCategory category)
        {
            var response = FailurePolicy.Decide(failure, confirmed, succeeded);
            Assert.Equal(expected, response);
            Assert.Equal(id, FailurePolicy.ProblemId(failure, response));
            Assert.Equal(category, FailurePolicy.Category(failure, response));
        }

        [Fact]
        public void AnUnauthorizedKindWithoutAnyStatusCodeStopsTheRunWithTheBackendsOwnAdvice()
        {
            var backend = new KindBackend((r, n) => throw new EmbeddingBackendException(BackendFailure.Unauthorized, "The API key was refused.",
                recommendedAction: "Check the API key of the server."));
            var events = Run(backend, Store(), PngImages(_root, 10), new ExtractionOptions { Models = new[] { "buffalo_l" }, ThrottleLimit = 4 });
            var error = Assert.Single(Errors(events));
            Assert.True(error.Terminating);
            Assert.Equal("Unauthorized", error.Id);
            Assert.Equal(ProblemCategory.PermissionDenied, error.Category);
            Assert.Equal("Check the API key of the server.", error.RecommendedAction);
            Assert.DoesNotContain("MOU", error.RecommendedAction);
            Assert.Equal(1, backend.Requests.Values.Sum()); // the first request alone, no retry
        }

        [Fact]
        public void ABackendWithoutAdviceGetsNeutralAdviceNotTheHostedServices()
        {
            var backend = new KindBackend((r, n) => throw new EmbeddingBackendException(BackendFailure.Rejected, "Unknown model."));
            var events = Run(backend, Store(), PngImages(_root, 3), new ExtractionOptions { Models = new[] { "antelopev2" } });
            var error = Assert.Single(Errors(events));
            Assert.Equal("ModelRejected", error.Id);
            Assert.DoesNotContain("MOU", error.RecommendedAction);
            Assert.DoesNotContain("URL exactly as delivered", error.RecommendedAction);
        }

        [Fact]
        public void TheHostedBackendStillGivesItsOwnAdviceWhenItsEndpointCannotBeReached()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var backend = new HttpEmbeddingBackend(new Uri($"http://127.0.0.1:{port}/v1/extract"), TimeSpan.FromSeconds(10), 2);
            var events = Run(backend, Store(), PngImages(_root, 2), new ExtractionOptions { Models = new[] { "dingo" } });
            var error = Assert.Single(Errors(events));
            Assert.Equal("EndpointUnreachable", error.Id);
            Assert.Equal("Check the URL exactly as delivered, the network, any proxy or VPN, then run again: stored results are kept.", error.RecommendedAction);
        }

        [Fact]
        public void ARateLimitedKindWithoutAStatusCodeIsPausedAndSentAgain()
        {
            var backend = new KindBackend((r, n) => n == 1
                ? throw new EmbeddingBackendException(BackendFailure.RateLimited, "Too many requests.", retryAfter: TimeSpan.FromMilliseconds(50))
                : Unit(r.Model));
            var events = Run(backend, Store(), PngImages(_root, 2), new ExtractionOptions { Models = new[] { "buffalo_l" }, ThrottleLimit = 1 });
            Assert.Empty(Errors(events));
            Assert.Equal(2, events.Count(e => e.Kind == ExtractionEventKind.Output));
            Assert.Equal(3, backend.Requests.Values.Sum());
            Assert.Contains(events, e => e.Kind == ExtractionEventKind.Verbose && e.Message.Contains("(rate limited)"));
        }
    }
}
