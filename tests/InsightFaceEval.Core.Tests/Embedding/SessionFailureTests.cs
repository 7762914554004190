using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    using static SessionHarness;

    /// <summary>
    /// How a run meets an endpoint that is not there, a refused model, files that are not images and crops with
    /// several faces (issue 11, items 3, 5 and 8).
    /// </summary>
    public sealed class SessionFailureTests : IDisposable
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-failure-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        /// <summary>A backend that answers each request by a script and counts requests per model.</summary>
        private sealed class ScriptedBackend : IEmbeddingBackend
        {
            private readonly Func<EmbeddingRequest, int, FeatureReply> _answer;
            private int _calls;

            public ScriptedBackend(Func<EmbeddingRequest, int, FeatureReply> answer, bool local = false)
            {
                _answer = answer;
                IsLocal = local;
            }

            public ConcurrentDictionary<string, int> Requests { get; } = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

            public string EndpointIdentity => "test:scripted";

            public bool ModelsNeedConfirmation => !IsLocal;

            public bool IsLocal { get; }

            public Task<FeatureReply> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
            {
                Requests.AddOrUpdate(request.Model, 1, (_, n) => n + 1);
                var call = Interlocked.Increment(ref _calls);
                return Task.FromResult(_answer(request, call));
            }

            public void Dispose()
            {
            }
        }

        private static FeatureReply Unit(string model, int faces = 0) => new FeatureReply(model, new[] { 0.6f, 0.8f }, faces);

        private List<ExtractionItem> Images(int count) => SessionHarness.PngImages(_root, count);

        private EmbeddingStore Store() => EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store"));



        private static List<FaceEmbedding> Outputs(IEnumerable<ExtractionEvent> events) =>
            events.Where(e => e.Kind == ExtractionEventKind.Output).Select(e => e.Embedding).ToList();

        // Item 3: classify the transport's exceptions by their codes.

        [Fact]
        public void RefusedConnectionsAndUnknownHostsAreToldApartFromOtherTransportFailures()
        {
            Assert.Equal(TransportFailureKind.ConnectionRefused,
                TransportFailures.Classify(new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused))));
            Assert.Equal(TransportFailureKind.HostNotFound,
                TransportFailures.Classify(new HttpRequestException("x", new SocketException((int)SocketError.HostNotFound))));
            Assert.Equal(TransportFailureKind.HostNotFound, TransportFailures.Classify(new SocketException((int)SocketError.TryAgain)));
            Assert.Equal(TransportFailureKind.HostNotFound, TransportFailures.Classify(new SocketException((int)SocketError.NoData)));

            // .NET Framework: a WebException inside, with or without the socket error under it.
            Assert.Equal(TransportFailureKind.HostNotFound,
                TransportFailures.Classify(new HttpRequestException("x", new WebException("x", WebExceptionStatus.NameResolutionFailure))));
            Assert.Equal(TransportFailureKind.ConnectionRefused, TransportFailures.Classify(new HttpRequestException("x",
                new WebException("x", new SocketException((int)SocketError.ConnectionRefused), WebExceptionStatus.ConnectFailure, null))));

            // Drops, resets and timeouts in a run that may have reached the server are retried.
            Assert.Equal(TransportFailureKind.Other,
                TransportFailures.Classify(new HttpRequestException("x", new IOException("x", new SocketException((int)SocketError.ConnectionReset)))));
            Assert.Equal(TransportFailureKind.Other, TransportFailures.Classify(new HttpRequestException("x", new SocketException((int)SocketError.TimedOut))));
            Assert.Equal(TransportFailureKind.Other, TransportFailures.Classify(new HttpRequestException("x", new IOException("closed"))));
            Assert.Equal(TransportFailureKind.Other, TransportFailures.Classify(new TimeoutException()));
            Assert.Equal(TransportFailureKind.Other, TransportFailures.Classify(null));
        }

        [Fact]
        public async Task AClosedLoopbackPortIsUnreachableAndTheMessageDoesNotNameIt()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using (var backend = new HttpEmbeddingBackend(new Uri($"http://127.0.0.1:{port}/v1/secret/extract"), TimeSpan.FromSeconds(10), 2))
            {
                var ex = await Assert.ThrowsAsync<EmbeddingBackendException>(() =>
                    backend.EmbedAsync(new EmbeddingRequest("dingo", PngSignature, "x.png", "00"), CancellationToken.None));
                Assert.Equal(BackendFailure.Unreachable, ex.Failure);
                Assert.DoesNotContain(port.ToString(), ex.Message);
                Assert.DoesNotContain("127.0.0.1", ex.Message);
                Assert.DoesNotContain("secret", ex.Message);
            }
        }

        [Fact]
        public void AnUnreachableEndpointStopsTheRunAtTheFirstRequestWithoutRetrying()
        {
            var backend = new ScriptedBackend((r, n) => throw new EmbeddingBackendException(BackendFailure.Unreachable, "The connection was refused."));
            var events = Run(backend, Store(), Images(20), new ExtractionOptions { Models = new[] { "dingo", "eagle" }, ThrottleLimit = 8, RetryBaseDelay = TimeSpan.FromSeconds(5) });
            var error = Assert.Single(Errors(events));
            Assert.True(error.Terminating);
            Assert.Equal("EndpointUnreachable", error.Id);
            Assert.Equal(ProblemCategory.ConnectionError, error.Category);
            Assert.DoesNotContain(events, e => e.Kind == ExtractionEventKind.Verbose && e.Message.StartsWith("Retrying", StringComparison.Ordinal));
            Assert.InRange(backend.Requests.Values.Sum(), 1, 2); // one probe per model at most
        }

        [Fact]
        public void AnOutageAfterARequestHasSucceededIsRetried()
        {
            // The first request works, the next three meet a refused connection, then the endpoint is back.
            var backend = new ScriptedBackend((r, n) => n >= 2 && n <= 4
                ? throw new EmbeddingBackendException(BackendFailure.Unreachable, "The connection was refused.")
                : Unit(r.Model));
            var events = Run(backend, Store(), Images(3), new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });
            Assert.Empty(Errors(events));
            Assert.Equal(3, Outputs(events).Count(o => o.Status == EmbeddingStatus.Success));
            Assert.Equal(3, events.Count(e => e.Kind == ExtractionEventKind.Verbose && e.Message.StartsWith("Retrying", StringComparison.Ordinal)));
        }

        // Item 5: a refused model stops only itself.

        [Fact]
        public void ARefusedModelStopsAloneAfterOneRequestAndTheOthersGoOn()
        {
            var backend = new ScriptedBackend((r, n) => r.Model == "dingoo"
                ? throw new EmbeddingBackendException(BackendFailure.Rejected, "The endpoint refused the request (HTTP 400: model 'dingoo' is not available).", 400)
                : Unit(r.Model));
            var items = Images(15);
            var events = Run(backend, Store(), items, new ExtractionOptions { Models = new[] { "dingo", "dingoo" }, ThrottleLimit = 4 });
            var error = Assert.Single(Errors(events));
            Assert.False(error.Terminating);
            Assert.Equal("ModelRejected", error.Id);
            Assert.Equal("dingoo", error.Target);
            Assert.Contains("'dingoo'", error.Exception.Message);
            Assert.Contains("other model(s) go on", error.Exception.Message);
            Assert.Equal(1, backend.Requests["dingoo"]);
            var outputs = Outputs(events);
            Assert.Equal(15, outputs.Count);
            Assert.All(outputs, o => Assert.Equal("dingo", o.Model));
        }

        [Fact]
        public void WhenEveryModelIsRefusedTheRunStops()
        {
            var backend = new ScriptedBackend((r, n) => throw new EmbeddingBackendException(BackendFailure.Rejected, "The endpoint refused the request (HTTP 400).", 400));
            var events = Run(backend, Store(), Images(10), new ExtractionOptions { Models = new[] { "ostrich", "emu" }, ThrottleLimit = 4 });
            var errors = Errors(events);
            Assert.Equal(2, errors.Count);
            Assert.Single(errors, e => e.Terminating);
            Assert.Contains("no other model is left", errors.Single(e => e.Terminating).Exception.Message);
            Assert.Equal(new[] { "emu", "ostrich" }, errors.Select(e => (string)e.Target).OrderBy(t => t, StringComparer.Ordinal));
            Assert.Equal(2, backend.Requests.Values.Sum());
        }

        // Item 8: what is not a crop.

        [Fact]
        public void AFileThatIsNotAnImageIsReportedAndNeverSent()
        {
            var items = Images(3);
            var text = Path.Combine(_root, "data", "id", "notes.png");
            File.WriteAllText(text, "this is not an image\n");
            items.Insert(1, new ExtractionItem(text, "id/notes.png", "id"));
            var backend = new ScriptedBackend((r, n) => Unit(r.Model));
            var events = Run(backend, Store(), items, new ExtractionOptions { Models = new[] { "dingo", "eagle" } });
            var error = Assert.Single(Errors(events));
            Assert.Equal("NotAnImage", error.Id);
            Assert.Equal(ProblemCategory.InvalidData, error.Category);
            Assert.Equal(text, error.Target);
            Assert.Contains("Nothing was sent", error.Exception.Message);
            Assert.Equal(6, backend.Requests.Values.Sum());
            Assert.Equal(6, Outputs(events).Count);
        }

        [Fact]
        public void SeveralFacesInALocalCropEarnOneWarningPerImageOrAnErrorUnderRequireOne()
        {
            var items = Images(4);
            var single = File.ReadAllBytes(items[0].Path);
            var backend = new ScriptedBackend((r, n) => Unit(r.Model, faces: r.Image.SequenceEqual(single) ? 1 : 3), local: true);
            var options = new ExtractionOptions { Models = new[] { "w600k", "faceplugin" } };
            var warned = Run(backend, Store(), items, options);
            Assert.Equal(8, Outputs(warned).Count(o => o.Status == EmbeddingStatus.Success));
            var warnings = warned.Where(e => e.Kind == ExtractionEventKind.Warning).Select(e => e.Message).ToList();
            Assert.Equal(3, warnings.Count); // one per image with several faces, not per model
            Assert.All(warnings, w => Assert.Contains("holds 3 faces", w));
            Assert.All(warnings, w => Assert.DoesNotContain("endpoint", w));

            var strict = Run(backend, EmbeddingStore.OpenOrCreate(Path.Combine(_root, "strict")), items,
                new ExtractionOptions { Models = new[] { "w600k" }, RequireOneFace = true });
            var errors = Errors(strict);
            Assert.Equal(3, errors.Count);
            Assert.All(errors, e => Assert.Equal("MultipleFaces", e.Id));
            Assert.All(errors, e => Assert.Equal(ProblemCategory.InvalidData, e.Category));
            Assert.Equal(items[0].Path, Assert.Single(Outputs(strict)).Path);
            Assert.Single(EmbeddingStore.Open(Path.Combine(_root, "strict")).Model("w600k").ReadIndex(out _));
        }

        [Fact]
        public void ALocalModelsFailuresSpeakOfTheLocalModelNotOfAnEndpoint()
        {
            var backend = new ScriptedBackend((r, n) => throw new EmbeddingBackendException(BackendFailure.ImageRejected, "The local model could not embed the image: bad pixels."), local: true);
            var events = Run(backend, Store(), Images(2), new ExtractionOptions { Models = new[] { "w600k" } });
            var errors = Errors(events);
            Assert.Equal(2, errors.Count);
            Assert.All(errors, e => Assert.Contains("local model 'w600k'", e.Exception.Message));
            Assert.All(errors, e => Assert.DoesNotContain("endpoint", e.Exception.Message, StringComparison.OrdinalIgnoreCase));
        }

        [Theory]
        [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "PNG")]
        [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0 }, "JPEG")]
        [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 4, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, "WebP")]
        [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0 }, "GIF")]
        [InlineData(new byte[] { (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0 }, "TIFF")]
        [InlineData(new byte[] { (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8 }, "TIFF")]
        [InlineData(new byte[] { (byte)'B', (byte)'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0 }, "BMP")]
        [InlineData(new byte[] { (byte)'B', (byte)'M', (byte)'W', (byte)' ', (byte)'i', (byte)'s', (byte)' ', (byte)'a', (byte)' ', (byte)'c', (byte)'a', (byte)'r', (byte)' ', (byte)'m', (byte)'a', (byte)'k', (byte)'e', (byte)'r' }, null)]
        [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 10 }, null)]
        [InlineData(new byte[] { (byte)'<', (byte)'h', (byte)'t', (byte)'m', (byte)'l', (byte)'>' }, null)]
        [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, null)]
        [InlineData(new byte[0], null)]
        public void ImageSignaturesAreRecognisedFromTheFirstBytes(byte[] bytes, string expected)
        {
            Assert.Equal(expected, ImageFormats.Detect(bytes));
        }
    }
}
