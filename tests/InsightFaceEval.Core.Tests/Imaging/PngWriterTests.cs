using System.Runtime.InteropServices;
using InsightFaceEval.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class PngWriterTests
    {
        [Theory]
        [InlineData(1, 1)]
        [InlineData(37, 23)]
        [InlineData(256, 199)]
        public void RoundTripIsLossless(int width, int height)
        {
            var rgb = new byte[width * height * 3];
            var random = new System.Random(width * height);
            for (var i = 0; i < rgb.Length; i++) { rgb[i] = (byte)(i % 7 == 0 ? random.Next(256) : (i / 3 % width) * 255 / width); }
            var png = PngWriter.EncodeRgb(rgb, width, height);
            using (var decoded = Image.Load<Rgb24>(png))
            {
                Assert.Equal(width, decoded.Width);
                Assert.Equal(height, decoded.Height);
                var back = new byte[rgb.Length];
                for (var y = 0; y < height; y++)
                {
                    MemoryMarshal.AsBytes(decoded.DangerousGetPixelRowMemory(y).Span).CopyTo(new System.Span<byte>(back, y * width * 3, width * 3));
                }

                Assert.Equal(rgb, back);
            }
        }

        [Fact]
        public void OnlyTheThreeNeededChunksAreWritten()
        {
            var png = PngWriter.EncodeRgb(new byte[12 * 5 * 3], 12, 5);
            Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, TestImages.PngChunks(png));
            var info = Image.Identify(png);
            Assert.Equal(24, info.PixelType.BitsPerPixel);
            Assert.Null(info.Metadata.ExifProfile);
        }
    }
}
