using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Embedding;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    public class JpegReencodingEmbedderTests
    {
        private sealed class Recorder : IFaceEmbedder
        {
            public List<byte[]> Seen { get; } = new List<byte[]>();

            public bool Disposed { get; private set; }

            public string ModelName => "inner";

            public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
            {
                Seen.AddRange(images);
                return images.Select(i => new[] { 1f, 0f }).ToList();
            }

            public void Dispose() => Disposed = true;
        }

        private static byte[] Png(int seed)
        {
            var rng = new Random(seed);
            using (var img = new Image<Rgb24>(96, 112))
            using (var buffer = new MemoryStream())
            {
                for (var y = 0; y < img.Height; y++)
                for (var x = 0; x < img.Width; x++)
                {
                    img[x, y] = new Rgb24((byte)rng.Next(256), (byte)(x * 2), (byte)(y * 2));
                }

                img.SaveAsPng(buffer);
                return buffer.ToArray();
            }
        }

        [Fact]
        public void TheInnerModelSeesALossyJpegOfTheSameSize()
        {
            var inner = new Recorder();
            var png = Png(1);
            using (var model = new JpegReencodingEmbedder(inner, 20, "degraded"))
            {
                Assert.Equal("degraded", model.ModelName);
                var result = model.Embed(new[] { png }, CancellationToken.None);
                Assert.Single(result);
            }

            Assert.True(inner.Disposed);
            var seen = Assert.Single(inner.Seen);
            Assert.Equal(new byte[] { 0xFF, 0xD8 }, seen.Take(2).ToArray());
            using (var original = Image.Load<Rgb24>(png))
            using (var jpeg = Image.Load<Rgb24>(seen))
            {
                Assert.Equal(original.Width, jpeg.Width);
                Assert.Equal(original.Height, jpeg.Height);
                var changed = 0;
                for (var y = 0; y < jpeg.Height; y++)
                for (var x = 0; x < jpeg.Width; x++)
                {
                    if (!jpeg[x, y].Equals(original[x, y])) { changed++; }
                }

                Assert.True(changed > jpeg.Width * jpeg.Height / 2, $"only {changed} pixels changed: the re-encode was not lossy");
            }
        }

        [Fact]
        public void LowerQualityLosesMore()
        {
            var png = Png(2);
            Assert.True(JpegReencodingEmbedder.Reencode(png, 10).Length < JpegReencodingEmbedder.Reencode(png, 90).Length);
            Assert.Throws<ArgumentOutOfRangeException>(() => new JpegReencodingEmbedder(new Recorder(), 0));
        }
    }
}
