using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    using static SessionHarness;

    /// <summary>
    /// Issue 14: InsightFace Server's POST /v1/embeddings as a backend, against a real loopback server that answers as
    /// the contract (deepinsight/insightface server/docs/openapi.snapshot.json, server/docs/api.md) says, and through the
    /// same session as the hosted backend: same objects, ErrorIds, retries and store.
    /// </summary>
    public sealed class InsightFaceServerBackendTests : IDisposable
    {
        private const string Key = "ifs_k3y-Zq9wL2vX7";
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-ifs-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        [Theory]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/v1/embeddings")]
        [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/v1/embeddings")]
        [InlineData("https://faces.example/proxy/ifs/", "https://faces.example/proxy/ifs/v1/embeddings")]
        [InlineData("https://faces.example/v1/embeddings", "https://faces.example/v1/embeddings")]
        [InlineData("https://faces.example/p?token=abc", "https://faces.example/p/v1/embeddings?token=abc")]
        public void TheRouteIsAddedToTheBaseUrlOnce(string baseUrl, string expected)
        {
            Assert.Equal(expected, InsightFaceServerBackend.EmbeddingsUrl(new Uri(baseUrl)).AbsoluteUri);
        }

        [Theory]
        [InlineData("with space")]
        [InlineData("line\nbreak")]
        [InlineData("ключ")]
        public void AKeyThatCannotBeAHeaderIsRefusedWithoutQuotingIt(string key)
        {
            Assert.False(InsightFaceServerBackend.TryValidateApiKey(key, out var problem));
            Assert.DoesNotContain(key, problem);
            Assert.True(InsightFaceServerBackend.TryValidateApiKey(null, out _));
            Assert.True(InsightFaceServerBackend.TryValidateApiKey(Key, out _));
        }

        [Fact]
        public async Task ARequestIsMultipartImageAndCollectionWithTheBearerKeyAndTheReplyIsTheFirstFace()
        {
            using (var server = new ScriptedServer(r => (200, Success("buffalo_l", "0.6", "-0.8"))))
            using (var backend = new InsightFaceServerBackend(new Uri(server.BaseUrl + "prefix/"), Key, "employees", TimeSpan.FromSeconds(10), 2))
            {
                var image = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0x0D, 0x0A };
                var reply = await backend.EmbedAsync(new EmbeddingRequest("buffalo_l", image, "abc.png", "00"), CancellationToken.None);

                Assert.Equal(new[] { 0.6f, -0.8f }, reply.Feature);
                Assert.Equal("buffalo_l", reply.ModelName);
                var request = Assert.Single(server.Received);
                Assert.Equal("POST", request.Method);
                Assert.Equal("/prefix/v1/embeddings", request.Path);
                Assert.Equal("Bearer " + Key, request.Authorization);
                Assert.StartsWith("multipart/form-data; boundary=", request.ContentType);
                var body = Encoding.GetEncoding("ISO-8859-1").GetString(request.Body);
                Assert.Contains("Content-Disposition: form-data; name=\"collection_id\"\r\n\r\nemployees\r\n", body);
                Assert.Contains("Content-Disposition: form-data; name=\"image\"; filename=\"abc.png\"\r\nContent-Type: application/octet-stream\r\n\r\n", body);
                Assert.Contains(Encoding.GetEncoding("ISO-8859-1").GetString(image), body);
                Assert.DoesNotContain("model_name", body);
            }
        }

        [Fact]
        public async Task WithoutAKeyNoAuthorizationHeaderIsSentAndWithoutACollectionNoField()
        {
            using (var server = new ScriptedServer(r => (200, Success("buffalo_l", "1"))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, null, null, TimeSpan.FromSeconds(10), 2))
            {
                await backend.EmbedAsync(new EmbeddingRequest("buffalo_l", new byte[] { 0x89, 0x50 }, "a.png", "00"), CancellationToken.None);
                var request = Assert.Single(server.Received);
                Assert.Null(request.Authorization);
                Assert.DoesNotContain("collection_id", Encoding.UTF8.GetString(request.Body));
            }
        }

        [Fact]
        public void EmbeddingNumbersAreReadAsTheHostedProtocolReadsThem()
        {
            // Near-ties between two float32 values: only double-then-float32 (numpy's way) gives the even neighbour.
            var numbers = new[] { "0.10000000149011612", "-0.030000001192092896", "0.5000000596046448", "1e-7" };
            var server = InsightFaceServerReply.Parse(Encoding.UTF8.GetBytes(Success("m", numbers)));
            var hosted = FeatureReply.Parse(Encoding.UTF8.GetBytes("{\"model_name\": \"m\", \"feature\": [" + string.Join(", ", numbers) + "]}"));
            Assert.Equal(hosted.Feature, server.Embedding);
            Assert.Equal("m", server.ModelId);
            Assert.Equal(12.5, server.ProcessingMs);
            Assert.Equal("3ed21e89-4595-4eed-a699-1df42ca62032", server.RequestId);
        }

        [Theory]
        [InlineData("{\"faces\": \"no\"}", "faces is not a list")]
        [InlineData("{\"model\": {}}", "no 'faces'")]
        [InlineData("{\"faces\": [{\"embedding\": [1, \"x\"]}]}", "numbers only")]
        [InlineData("{\"faces\": [{\"embedding\": [1, 2]", "not valid JSON")]
        public void ABrokenSuccessIsAnInvalidReply(string body, string reason)
        {
            var ex = Assert.Throws<FormatException>(() => InsightFaceServerReply.Parse(Encoding.UTF8.GetBytes(body)));
            Assert.Contains(reason, ex.Message);
        }

        [Fact]
        public void FaceNotFoundIsAFailureToAcquireStoredAsNoFaceAndTheNextImageGoesOn()
        {
            var images = Images(2);
            var noFace = Sha(images[0]);
            using (var server = new ScriptedServer(r => r.ImageSha == noFace
                ? (422, Error("face_not_found", "No usable face was detected."))
                : (200, Success("buffalo_l", "0.6", "0.8"))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, null, TimeSpan.FromSeconds(10), 2))
            {
                var store = Store();
                var events = Run(backend, store, images, Options());
                var error = Assert.Single(Errors(events));
                Assert.Equal("NoFace", error.Id);
                Assert.Equal(ProblemCategory.ObjectNotFound, error.Category);
                Assert.Equal(images[0].Path, error.Target);
                Assert.False(error.Terminating);
                var outputs = events.Where(e => e.Kind == ExtractionEventKind.Output).Select(e => e.Embedding).ToList();
                Assert.Equal(2, outputs.Count);
                Assert.Contains(outputs, o => o.Status == EmbeddingStatus.NoFace && o.Path == images[0].Path);
                Assert.Contains(outputs, o => o.Status == EmbeddingStatus.Success && o.Path == images[1].Path && o.Model == "buffalo_l");

                // The store holds it as the hosted endpoint's no-face: a second run asks nothing again.
                var records = store.Model("buffalo_l").ReadIndex(out _);
                Assert.Contains(records, r => r.RelativePath == images[0].RelativePath && r.Status == EmbeddingStatus.NoFace);
                var before = server.Received.Count;
                var again = Run(backend, Store(), images, Options());
                Assert.Equal(before, server.Received.Count);
                Assert.Equal("NoFace", Assert.Single(Errors(again)).Id);
            }
        }

        [Theory]
        [InlineData(413, "request_too_large")]
        [InlineData(422, "invalid_image")]
        public void ATooLargeOrUndecodableImageIsRefusedForThatImageOnlyWithoutRetry(int status, string code)
        {
            var images = Images(2);
            var refused = Sha(images[0]);
            using (var server = new ScriptedServer(r => r.ImageSha == refused ? (status, Error(code, "refused")) : (200, Success("buffalo_l", "1"))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, null, TimeSpan.FromSeconds(10), 2))
            {
                var events = Run(backend, Store(), images, Options());
                var error = Assert.Single(Errors(events));
                Assert.Equal("ImageRejected", error.Id);
                Assert.Equal(ProblemCategory.InvalidData, error.Category);
                Assert.Contains(code, error.Exception.Message);
                Assert.Equal(1, server.Received.Count(r => r.ImageSha == refused));
                Assert.Single(events, e => e.Kind == ExtractionEventKind.Output && e.Embedding.Status == EmbeddingStatus.Success);
            }
        }

        [Fact]
        public void RequestTimeoutIsRetriedLikeATimeoutAndThenReportedAsOne()
        {
            using (var server = new ScriptedServer(r => (503, Error("request_timeout", "The request timed out."))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, null, TimeSpan.FromSeconds(10), 2))
            {
                var options = Options();
                options.MaximumRetryCount = 2;
                var events = Run(backend, Store(), Images(1), options);
                var error = Assert.Single(Errors(events));
                Assert.Equal("Timeout", error.Id);
                Assert.Equal(ProblemCategory.OperationTimeout, error.Category);
                Assert.Equal(3, server.Received.Count);
                Assert.Contains(events, e => e.Kind == ExtractionEventKind.Verbose && e.Message.StartsWith("Retrying", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void ATransientServerErrorIsRetriedAndTheImageSucceeds()
        {
            var calls = 0;
            using (var server = new ScriptedServer(r => Interlocked.Increment(ref calls) == 1 ? (503, Error("not_ready", "warming up")) : (200, Success("buffalo_l", "1"))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, null, TimeSpan.FromSeconds(10), 2))
            {
                var events = Run(backend, Store(), Images(1), Options());
                Assert.Empty(Errors(events));
                Assert.Single(events, e => e.Kind == ExtractionEventKind.Output && e.Embedding.Status == EmbeddingStatus.Success);
                Assert.Equal(2, server.Received.Count);
            }
        }

        [Theory]
        [InlineData(401)]
        [InlineData(403)]
        public void AWrongKeyStopsTheRunAtItsFirstRequestAndNoMessageQuotesKeyOrUrl(int status)
        {
            using (var server = new ScriptedServer(r => (status,
                "{\"error\": {\"code\": \"unauthorized\", \"message\": \"Key " + Key + " refused at " + r.Url + "\", \"details\": {}}, \"request_id\": \"r-1\"}")))
            using (var backend = new InsightFaceServerBackend(new Uri(server.BaseUrl + "s3cr3t-prefix/"), Key, null, TimeSpan.FromSeconds(10), 2))
            {
                var events = Run(backend, Store(), Images(10), Options());
                var error = Assert.Single(Errors(events));
                Assert.Equal("Unauthorized", error.Id);
                Assert.Equal(ProblemCategory.PermissionDenied, error.Category);
                Assert.True(error.Terminating);
                Assert.Single(server.Received);
                Assert.Contains("The API key was sent and refused", error.Exception.Message);
                foreach (var text in events.Select(e => e.Message ?? string.Empty))
                {
                    Assert.DoesNotContain(Key, text);
                    Assert.DoesNotContain("s3cr3t-prefix", text);
                    Assert.DoesNotContain(server.BaseUrl.Authority, text);
                }
            }
        }

        [Fact]
        public async Task WithoutAKeyA401SaysThatNoneWasSent()
        {
            using (var server = new ScriptedServer(r => (401, Error("unauthorized", "A valid Bearer API key is required."))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, null, null, TimeSpan.FromSeconds(10), 2))
            {
                var ex = await Assert.ThrowsAsync<EmbeddingBackendException>(() =>
                    backend.EmbedAsync(new EmbeddingRequest("m", new byte[] { 0x89 }, "a.png", "00"), CancellationToken.None));
                Assert.Equal(BackendFailure.Unauthorized, ex.Failure);
                Assert.Contains("No API key was sent", ex.Message);
                Assert.Contains("request_id r-test", ex.Message);
            }
        }

        [Theory]
        [InlineData(404, "collection_not_found", BackendFailure.Rejected)]
        [InlineData(404, "route_not_found", BackendFailure.EndpointNotFound)]
        [InlineData(404, null, BackendFailure.EndpointNotFound)]
        [InlineData(409, "collection_model_mismatch", BackendFailure.Rejected)]
        [InlineData(500, "internal_error", BackendFailure.ServerError)]
        [InlineData(429, null, BackendFailure.RateLimited)]
        public async Task EachStatusMapsOntoTheHostedFailureKinds(int status, string code, BackendFailure expected)
        {
            using (var server = new ScriptedServer(r => (status, code == null ? "<html>nope</html>" : Error(code, "x"))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, "employees", TimeSpan.FromSeconds(10), 2))
            {
                var ex = await Assert.ThrowsAsync<EmbeddingBackendException>(() =>
                    backend.EmbedAsync(new EmbeddingRequest("m", new byte[] { 0x89 }, "a.png", "00"), CancellationToken.None));
                Assert.Equal(expected, ex.Failure);
                Assert.Equal(status, ex.StatusCode);
            }
        }

        [Fact]
        public void AnUnknownCollectionRefusesTheRunAtItsFirstRequest()
        {
            using (var server = new ScriptedServer(r => (404, Error("collection_not_found", "Collection 'staff' was not found."))))
            using (var backend = new InsightFaceServerBackend(server.BaseUrl, Key, "staff", TimeSpan.FromSeconds(10), 2))
            {
                var events = Run(backend, Store(), Images(5), Options());
                var error = Assert.Single(Errors(events));
                Assert.Equal("ModelRejected", error.Id);
                Assert.True(error.Terminating);
                Assert.Contains("Collection 'staff' was not found", error.Exception.Message);
                Assert.Single(server.Received);
            }
        }

        [Fact]
        public void TheStoreFingerprintsTheEndpointAndKeepsNeitherUrlNorKey()
        {
            using (var server = new ScriptedServer(r => (200, Success("buffalo_l", "1"))))
            using (var backend = new InsightFaceServerBackend(new Uri(server.BaseUrl + "s3cr3t-prefix/"), Key, "employees", TimeSpan.FromSeconds(10), 2))
            {
                Run(backend, Store(), Images(2), Options());
                foreach (var file in Directory.GetFiles(Path.Combine(_root, "store"), "*", SearchOption.AllDirectories))
                {
                    var text = File.ReadAllText(file, Encoding.Latin1);
                    Assert.DoesNotContain(Key, text);
                    Assert.DoesNotContain("s3cr3t-prefix", text);
                    Assert.DoesNotContain(server.BaseUrl.Authority, text);
                }

                var record = Store().Model("buffalo_l").ReadIndex(out _).First();
                Assert.False(string.IsNullOrEmpty(record.EndpointFingerprint));
                Assert.Equal(Store().Fingerprint(backend.EndpointIdentity), record.EndpointFingerprint);
            }
        }

        // ---- helpers ----

        private static string Success(string model, params string[] numbers) =>
            "{\"faces\": [{\"bbox\": {\"pixels\": {\"x\": 1, \"y\": 2, \"width\": 3, \"height\": 4}, \"normalized\": {\"left\": 0.1, \"top\": 0.1, \"width\": 0.5, \"height\": 0.5}}, "
            + "\"landmarks\": [[1.0, 2.0]], \"detection_score\": 0.9, \"quality\": {\"score\": 1, \"sharpness\": 1, \"brightness\": 1, \"pose\": 1}, "
            + "\"embedding\": [" + string.Join(", ", numbers) + "]}], "
            + "\"model\": {\"model_id\": \"" + model + "\", \"model_version\": \"1.0\", \"model_digest\": \"abc\", \"embedding_dimension\": " + numbers.Length
            + ", \"preprocessing_version\": \"1\", \"provider\": \"CPUExecutionProvider\", \"models\": [], \"license\": null}, "
            + "\"processing_ms\": 12.5, \"request_id\": \"3ed21e89-4595-4eed-a699-1df42ca62032\"}";

        private static string Error(string code, string message) =>
            "{\"error\": {\"code\": \"" + code + "\", \"message\": \"" + message + "\", \"details\": {}}, \"request_id\": \"r-test\"}";

        private static ExtractionOptions Options() => new ExtractionOptions
        {
            Models = new[] { "buffalo_l" },
            ThrottleLimit = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaximumDelay = TimeSpan.FromMilliseconds(50),
        };

        private List<ExtractionItem> Images(int count) => PngImages(_root, count);

        private EmbeddingStore Store() => EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store"));

        private static string Sha(ExtractionItem item)
        {
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                return EmbeddingStore.Hex(sha.ComputeHash(File.ReadAllBytes(item.Path)));
            }
        }

        /// <summary>One request as the server received it.</summary>
        private sealed class ReceivedRequest
        {
            public string Method;
            public string Path;
            public string Url;
            public string Authorization;
            public string ContentType;
            public byte[] Body;
            public string ImageSha;
        }

        /// <summary>A real HTTP server on loopback that records each request and answers with <c>reply</c>.</summary>
        private sealed class ScriptedServer : IDisposable
        {
            private readonly HttpListener _listener = new HttpListener();

            public ScriptedServer(Func<ReceivedRequest, (int Status, string Body)> reply)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                BaseUrl = new Uri($"http://127.0.0.1:{port}/");
                _ = Task.Run(async () =>
                {
                    while (_listener.IsListening)
                    {
                        HttpListenerContext context;
                        try { context = await _listener.GetContextAsync(); }
                        catch (Exception) { return; }
                        _ = Task.Run(() => Answer(context, reply));
                    }
                });
            }

            public Uri BaseUrl { get; }

            public ConcurrentQueue<ReceivedRequest> Received { get; } = new ConcurrentQueue<ReceivedRequest>();

            private async Task Answer(HttpListenerContext context, Func<ReceivedRequest, (int Status, string Body)> reply)
            {
                try
                {
                    var buffer = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(buffer);
                    var request = new ReceivedRequest
                    {
                        Method = context.Request.HttpMethod,
                        Path = context.Request.Url.AbsolutePath,
                        Url = context.Request.Url.AbsoluteUri,
                        Authorization = context.Request.Headers["Authorization"],
                        ContentType = context.Request.ContentType,
                        Body = buffer.ToArray(),
                    };
                    request.ImageSha = ImageShaOf(request.Body, request.ContentType);
                    Received.Enqueue(request);
                    var (status, body) = reply(request);
                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes, 0, bytes.Length);
                    context.Response.Close();
                }
                catch (Exception)
                {
                    // A client that hung up.
                }
            }

            /// <summary>SHA-256 of the image part's bytes (between its headers and the closing boundary).</summary>
            private static string ImageShaOf(byte[] body, string contentType)
            {
                var latin = Encoding.Latin1.GetString(body);
                var boundary = "\r\n--" + contentType.Substring(contentType.IndexOf("boundary=", StringComparison.Ordinal) + 9);
                var part = latin.IndexOf("name=\"image\"", StringComparison.Ordinal);
                if (part < 0) { return null; }
                var start = latin.IndexOf("\r\n\r\n", part, StringComparison.Ordinal) + 4;
                var end = latin.IndexOf(boundary, start, StringComparison.Ordinal);
                using (var sha = System.Security.Cryptography.SHA256.Create())
                {
                    return EmbeddingStore.Hex(sha.ComputeHash(body, start, end - start));
                }
            }

            public void Dispose()
            {
                _listener.Stop();
                _listener.Close();
            }
        }
    }
}
