using System;
using System.Text;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    public class HttpProtocolTests
    {
        [Fact]
        public void TheBodyIsTheProtocolsMultipartFormWithTheBytesUnchanged()
        {
            var image = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0x0D, 0x0A };
            var body = MultipartBody.Build("BOUNDARY", "eagle-2", "abc.png", image);
            var head = "--BOUNDARY\r\nContent-Disposition: form-data; name=\"model_name\"\r\n\r\neagle-2\r\n"
                + "--BOUNDARY\r\nContent-Disposition: form-data; name=\"image\"; filename=\"abc.png\"\r\nContent-Type: application/octet-stream\r\n\r\n";
            var tail = "\r\n--BOUNDARY--\r\n";
            Assert.Equal(Encoding.ASCII.GetBytes(head), body[..head.Length]);
            Assert.Equal(image, body[head.Length..(head.Length + image.Length)]);
            Assert.Equal(Encoding.ASCII.GetBytes(tail), body[(head.Length + image.Length)..]);
        }

        [Fact]
        public void FileNamesCannotBreakOutOfTheirQuotes()
        {
            Assert.Equal("a%22b%0D%0Ac.png", MultipartBody.EscapeFileName("a\"b\r\nc.png"));
        }

        [Fact]
        public void TheScrubberRemovesTheUrlAndItsIdentifyingParts()
        {
            var url = new Uri("https://eval-7f3a.example.net:8443/v1/s3cr3t-t0ken/extract?key=abcdef123456");
            var scrubber = EndpointAddress.FromUri(url);
            var text = scrubber.Scrub($"POST {url} failed; host eval-7f3a.example.net:8443, path /v1/s3cr3t-t0ken/extract, key=abcdef123456, token S3CR3T-T0KEN");
            Assert.DoesNotContain("eval-7f3a", text);
            Assert.DoesNotContain("s3cr3t", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("abcdef123456", text);
            Assert.Contains(EndpointAddress.Placeholder, text);
            Assert.Equal("The reply's feature is not a list.", scrubber.Scrub("The reply's feature is not a list."));
        }

        [Theory]
        [InlineData("", false)]
        [InlineData("ftp://host/x", false)]
        [InlineData("relative/path", false)]
        [InlineData("http://127.0.0.1:5000/", true)]
        [InlineData("https://host.example/v1/extract?key=1", true)]
        public void UrlValidationNeverEchoesTheUrl(string text, bool valid)
        {
            var endpoint = EndpointAddress.FromText(text);
            Assert.Equal(valid, endpoint.IsValid);
            if (!valid && text.Length > 0) { Assert.DoesNotContain(text, endpoint.Problem); }
        }

        [Fact]
        public void LossyContainersAreRecognisedWithoutDecoding()
        {
            Assert.True(ImageFormats.IsLossy(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1 }));
            Assert.True(ImageFormats.IsLossy(WebP("VP8 ")));
            Assert.True(ImageFormats.IsLossy(WebP("VP8X", "ALPH", "VP8 ")));
            Assert.False(ImageFormats.IsLossy(WebP("VP8L")));
            Assert.False(ImageFormats.IsLossy(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 }));
        }

        private static byte[] WebP(params string[] chunks)
        {
            var bytes = new System.Collections.Generic.List<byte>();
            bytes.AddRange(Encoding.ASCII.GetBytes("RIFF"));
            bytes.AddRange(BitConverter.GetBytes(4 + (chunks.Length * 12)));
            bytes.AddRange(Encoding.ASCII.GetBytes("WEBP"));
            foreach (var chunk in chunks)
            {
                bytes.AddRange(Encoding.ASCII.GetBytes(chunk));
                bytes.AddRange(BitConverter.GetBytes(4));
                bytes.AddRange(new byte[4]);
            }

            return bytes.ToArray();
        }
    }
}
