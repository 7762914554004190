using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
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
    /// Issue 12, items 4 and 5: a server that asks for endless waits or sends endless replies, met on a real loopback
    /// server, costs a bounded time and bounded memory, and ends in a specific error.
    /// </summary>
    public sealed class HostileServerLimitsTests : IDisposable
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-limits-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        // ---- Retry-After: pure parsing and clamping ----

        [Theory]
        [InlineData("120", 120.0)]
        [InlineData(" 0 ", 0.0)]
        [InlineData("86400", 86400.0)]
        public void RetryAfterSecondsAreReadAsSeconds(string value, double seconds)
        {
            Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfterHeader.Parse(value, DateTimeOffset.UtcNow));
        }

        [Theory]
        [InlineData("999999999")]
        [InlineData("99999999999999999999999999")]
        [InlineData("Fri, 01 Jan 2100 00:00:00 GMT")]
        public void AHugeRetryAfterIsReadWithoutOverflowAndClampedToTheMaximum(string value)
        {
            var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
            var wait = RetryAfterHeader.Parse(value, now);
            Assert.True(wait.HasValue && wait.Value > TimeSpan.FromDays(365), $"read as {wait}");
            Assert.Equal(TimeSpan.FromSeconds(120), RetryAfterHeader.Clamp(wait.Value, TimeSpan.FromSeconds(120), out var clamped));
            Assert.True(clamped);
        }

        [Fact]
        public void AnHttpDateIsMeasuredFromTheGivenClockAndAPastDateMeansNow()
        {
            var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
            Assert.Equal(TimeSpan.FromSeconds(30), RetryAfterHeader.Parse(now.AddSeconds(30).ToString("r", CultureInfo.InvariantCulture), now));
            Assert.Equal(TimeSpan.Zero, RetryAfterHeader.Parse("Sun, 06 Nov 1994 08:49:37 GMT", now));
        }

        [Theory]
        [InlineData("-5")]
        [InlineData("1.5")]
        [InlineData("soon")]
        [InlineData("")]
        [InlineData(null)]
        [InlineData("\u001b[2J120")]
        public void ANegativeOrGarbageRetryAfterIsIgnored(string value)
        {
            Assert.Null(RetryAfterHeader.Parse(value, DateTimeOffset.UtcNow));
        }

        [Fact]
        public void AWaitUnderTheMaximumIsKept()
        {
            Assert.Equal(TimeSpan.FromSeconds(3), RetryAfterHeader.Clamp(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(120), out var clamped));
            Assert.False(clamped);
            Assert.Equal(TimeSpan.Zero, RetryAfterHeader.Clamp(TimeSpan.FromSeconds(-3), TimeSpan.FromSeconds(120), out _));
        }

        // ---- Item 4: a server that always answers 429 ----

        [Theory]
        [InlineData("999999999")]
        [InlineData("Fri, 01 Jan 2100 00:00:00 GMT")]
        public void AServerThatAlwaysAnswers429WithAnEndlessRetryAfterEndsEachImageWithRateLimitedInBoundedTime(string retryAfter)
        {
            using (var server = new LoopbackServer(async context =>
            {
                context.Response.StatusCode = 429;
                context.Response.Headers["Retry-After"] = retryAfter;
                await Write(context, "{\"detail\":\"rate limit exceeded\"}");
            }))
            using (var backend = new HttpEmbeddingBackend(server.Url, TimeSpan.FromSeconds(5), 2))
            {
                var options = new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 2, MaximumRateLimitedWaits = 2, MaximumRetryAfter = TimeSpan.FromMilliseconds(200) };
                var watch = Stopwatch.StartNew();
                var events = Run(backend, Store(), Images(2), options);
                watch.Stop();

                var errors = Errors(events);
                Assert.Equal(2, errors.Count);
                foreach (var error in errors)
                {
                    Assert.Equal("RateLimited", error.Id);
                    Assert.Equal(ProblemCategory.LimitsExceeded, error.Category);
                    Assert.Contains("after 3 attempt(s): the endpoint kept answering 429", error.Exception.Message);
                    Assert.NotNull(error.Target);
                }

                Assert.Equal(6, server.Requests);

                // Each wait is cut to 0.2 s; what remains is the pacer slowing down after every 429 (at most 5 s apart).
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"The run took {watch.Elapsed.TotalSeconds:0.0} s.");
                Assert.Contains(events, e => e.Kind == ExtractionEventKind.Verbose && e.Message.Contains("waiting at most 0.2 s (-MaximumRetryAfterSec)"));
            }
        }

        // ---- Item 5: replies too large ----

        [Fact]
        public async Task AnEndlessChunkedBodyIsReadNoFurtherThanTheLimit()
        {
            long written = 0;
            using (var server = new LoopbackServer(async context =>
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.SendChunked = true;
                var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0.0123456789,", 5000)));
                var head = Encoding.ASCII.GetBytes("{\"model_name\":\"dingo\",\"feature\":[");
                try
                {
                    await context.Response.OutputStream.WriteAsync(head, 0, head.Length);
                    while (Interlocked.Read(ref written) < 512L * 1024 * 1024)
                    {
                        await context.Response.OutputStream.WriteAsync(chunk, 0, chunk.Length);
                        Interlocked.Add(ref written, chunk.Length);
                    }

                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException || ex is IOException || ex is ObjectDisposedException)
                {
                    // The client hung up: what it wanted.
                }
            }))
            using (var backend = new HttpEmbeddingBackend(server.Url, TimeSpan.FromSeconds(60), 1))
            {
                var watch = Stopwatch.StartNew();
                var ex = await Assert.ThrowsAsync<EmbeddingBackendException>(() =>
                    backend.EmbedAsync(new EmbeddingRequest("dingo", PngSignature, "a.png", "00"), CancellationToken.None));
                watch.Stop();
                Assert.Equal(BackendFailure.ReplyTooLarge, ex.Failure);
                Assert.Equal("ReplyTooLarge", ex.Problem);
                Assert.Contains("larger than 2 MB", ex.Message);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"Reading took {watch.Elapsed.TotalSeconds:0.0} s.");

                // The server could push only the limit plus what the sockets buffer before the client hung up.
                await Task.Delay(500);
                Assert.True(Interlocked.Read(ref written) < 64L * 1024 * 1024, $"The server wrote {Interlocked.Read(ref written) / (1024 * 1024)} MB.");
            }
        }

        [Fact]
        public void AVectorLongerThanAnyFaceModelGivesIsRefusedAndNothingIsStored()
        {
            var huge = "{\"model_name\":\"dingo\",\"feature\":[" + string.Join(",", Enumerable.Repeat("0.001", ReplyLimits.MaxDimension + 10)) + "]}";
            using (var server = new LoopbackServer(context => Write(context, huge)))
            using (var backend = new HttpEmbeddingBackend(server.Url, TimeSpan.FromSeconds(20), 1))
            {
                var store = Store();
                var events = Run(backend, store, Images(2), new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 1 });

                var errors = Errors(events);
                Assert.Equal(2, errors.Count);
                foreach (var error in errors)
                {
                    Assert.Equal("ReplyTooLarge", error.Id);
                    Assert.Equal(ProblemCategory.InvalidResult, error.Category);
                    Assert.Contains("more than 65536 values", error.Exception.Message);
                }

                Assert.DoesNotContain(events, e => e.Kind == ExtractionEventKind.Output);
                Assert.Equal(2, server.Requests); // not retried: a server that sent one will send another
                Assert.Empty(Directory.GetFiles(Path.Combine(_root, "store"), "*.npy", SearchOption.AllDirectories));
            }
        }

        [Fact]
        public void AHugeModelNameIsCutAndCleanedInTheIndexTheOutputAndTheWarning()
        {
            var name = "eagle\u001b[2J\r\nWARNING: forged line\u0007" + new string('n', 1_000_000);
            var reply = "{\"model_name\":" + System.Text.Json.JsonSerializer.Serialize(name) + ",\"feature\":[0.6,0.8]}";
            using (var server = new LoopbackServer(context => Write(context, reply)))
            using (var backend = new HttpEmbeddingBackend(server.Url, TimeSpan.FromSeconds(20), 1))
            {
                var events = Run(backend, Store(), Images(2), new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 1 });

                Assert.Empty(Errors(events));
                var outputs = events.Where(e => e.Kind == ExtractionEventKind.Output).Select(e => e.Embedding).ToList();
                Assert.Equal(2, outputs.Count);
                foreach (var output in outputs)
                {
                    Assert.StartsWith("eagle", output.Model);
                    Assert.True(output.Model.Length <= ReplyLimits.MaxModelNameLength + 3, $"model name of {output.Model.Length} characters");
                    Assert.DoesNotContain(output.Model, char.IsControl);
                }

                var warning = Assert.Single(events, e => e.Kind == ExtractionEventKind.Warning && e.Message.Contains("model_name"));
                Assert.True(warning.Message.Length < 1000, $"warning of {warning.Message.Length} characters");
                Assert.DoesNotContain(warning.Message, char.IsControl);

                var index = Directory.GetFiles(Path.Combine(_root, "store"), "index.jsonl", SearchOption.AllDirectories);
                Assert.NotEmpty(index);
                foreach (var line in index.SelectMany(File.ReadAllLines))
                {
                    Assert.True(line.Length < 2000, $"index line of {line.Length} characters");
                    Assert.DoesNotContain("\\u001b", line, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("\\u0007", line, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("\\r\\n", line);
                }
            }
        }

        // ---- helpers ----

        private static async Task Write(HttpListenerContext context, string body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, 0, bytes.Length);
            context.Response.Close();
        }

        private List<ExtractionItem> Images(int count) => SessionHarness.PngImages(_root, count);

        private EmbeddingStore Store() => EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store"));



        /// <summary>A real HTTP server on loopback that answers every request with <c>handler</c>.</summary>
        private sealed class LoopbackServer : IDisposable
        {
            private readonly HttpListener _listener = new HttpListener();
            private readonly Task _loop;
            private int _requests;

            public LoopbackServer(Func<HttpListenerContext, Task> handler)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Url = new Uri($"http://127.0.0.1:{port}/v1/secret-token/extract");
                _loop = Task.Run(async () =>
                {
                    while (_listener.IsListening)
                    {
                        HttpListenerContext context;
                        try { context = await _listener.GetContextAsync(); }
                        catch (Exception) { return; }
                        Interlocked.Increment(ref _requests);
                        _ = Task.Run(async () =>
                        {
                            try
                            {
                                using (var input = context.Request.InputStream) { await input.CopyToAsync(Stream.Null); }
                                await handler(context);
                            }
                            catch (Exception)
                            {
                                // A client that hung up.
                            }
                        });
                    }
                });
            }

            public Uri Url { get; }

            public int Requests => Volatile.Read(ref _requests);

            public void Dispose()
            {
                _listener.Stop();
                _listener.Close();
            }
        }
    }
}
