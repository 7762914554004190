using System;
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
    /// <summary>Issue 12, item 9: what a hostile server puts in its error text reaches the user cleaned.</summary>
    public class HostileServerTextTests
    {
        private const string Token = "s3cr3t-t0ken-4f9e";

        [Fact]
        public async Task A422DetailLosesControlCharactersTheEncodedUrlAndItsLength()
        {
            // The server echoes its own path percent-encoded (twice for the token), rings the bell, moves the
            // cursor, starts a new line that looks like ours, and goes on for 50,000 characters.
            var port = FreePort();
            var path = $"/v1/{Token}/extract";
            var detail = "bad image\u001b[2J\u001b]0;pwned\u0007\r\nERROR: your key expired; echo of %2Fv1%2F"
                + Uri.EscapeDataString(Uri.EscapeDataString(Token)).Replace("-", "%252D") + "%2Fextract \u202Eevil "
                + new string('x', 50_000);
            using (var listener = new HttpListener())
            {
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                listener.Start();
                var serve = Task.Run(async () =>
                {
                    var context = await listener.GetContextAsync();
                    using (var input = context.Request.InputStream) { input.CopyTo(System.IO.Stream.Null); }
                    var body = Encoding.UTF8.GetBytes("{\"detail\":" + System.Text.Json.JsonSerializer.Serialize(detail) + "}");
                    context.Response.StatusCode = 422;
                    context.Response.ContentType = "application/json";
                    context.Response.OutputStream.Write(body, 0, body.Length);
                    context.Response.Close();
                });
                using (var backend = new HttpEmbeddingBackend(new Uri($"http://127.0.0.1:{port}{path}"), TimeSpan.FromSeconds(20), 1))
                {
                    var ex = await Assert.ThrowsAsync<EmbeddingBackendException>(() =>
                        backend.EmbedAsync(new EmbeddingRequest("dingo", new byte[] { 1, 2, 3 }, "a.png", "00"), CancellationToken.None));
                    await serve;
                    var message = ex.Message;
                    Assert.Equal(BackendFailure.ImageRejected, ex.Failure);
                    Assert.Contains("bad image", message);
                    Assert.DoesNotContain(message, c => char.IsControl(c) || c == '\u202E');
                    Assert.DoesNotContain(Token, Uri.UnescapeDataString(Uri.UnescapeDataString(Uri.UnescapeDataString(message))), StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("s3cr3t", message, StringComparison.OrdinalIgnoreCase);
                    Assert.True(message.Length < 400, $"The message is {message.Length} characters long.");
                }
            }
        }

        [Fact]
        public void TheScrubberFindsTheUrlInItsEncodedForms()
        {
            var url = new Uri("https://eval-7f3a.example.net:8443/v1/" + Token + "/extract?key=abcdef123456");
            var scrubber = EndpointAddress.FromUri(url);
            foreach (var form in new[] { Uri.EscapeDataString(url.AbsoluteUri), Uri.EscapeDataString(Uri.EscapeDataString(url.AbsoluteUri)), "%73%33%63%72%33%74-t0ken-4f9e" })
            {
                var text = scrubber.Scrub("echo: " + form);
                Assert.DoesNotContain("s3cr3t", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("eval-7f3a", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("abcdef123456", text);
            }

            Assert.Equal("a b c", scrubber.Scrub("a\rb\u0007\nc").Replace("  ", " "));
            Assert.Equal(new string('y', 10) + "...", scrubber.ScrubServerText(new string('y', 500), 10));
        }

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }
    }
}
