using System;
using System.IO;
using InsightFaceEval.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class ImageLoaderTests
    {
        [Fact]
        public void StoredPositionsFollowTheExifMeaning()
        {
            // Stored 3 wide, 2 high. Orientation 6 shows it turned 90 degrees clockwise: upright 2 wide, 3 high,
            // and the upright top-left pixel is the stored bottom-left one.
            Assert.Equal((0, 1), ExifOrientation.ToStored(0, 0, 3, 2, 6));
            Assert.Equal((2, 0), ExifOrientation.ToStored(1, 2, 3, 2, 6));
            Assert.Equal((2, 0), ExifOrientation.ToStored(0, 0, 3, 2, 8));
            Assert.Equal((2, 1), ExifOrientation.ToStored(0, 0, 3, 2, 3));
            Assert.Equal((2, 0), ExifOrientation.ToStored(0, 0, 3, 2, 2));
            Assert.Equal((0, 1), ExifOrientation.ToStored(0, 0, 3, 2, 4));
            Assert.Equal((1, 0), ExifOrientation.ToStored(0, 1, 3, 2, 5));
            Assert.Equal((2, 1), ExifOrientation.ToStored(0, 0, 3, 2, 7));
            Assert.Equal((2, 3), ExifOrientation.UprightSize(3, 2, 6));
            Assert.Equal(1, ExifOrientation.Normalize(0));
            Assert.Equal(1, ExifOrientation.Normalize(9));
            Assert.Equal(1, ExifOrientation.Normalize(null));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        [InlineData(6)]
        [InlineData(7)]
        [InlineData(8)]
        public void CropsOfEveryOrientationMatchTheImageTurnedUprightFirst(int orientation)
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(40, 28, orientation))
            {
                var path = files.SaveJpeg("o.jpg", noise, orientation);
                var data = File.ReadAllBytes(path);
                var loader = new ImageLoader();
                var header = loader.ReadHeader(data, path, applyOrientation: true);
                Assert.Equal(orientation, header.Orientation);
                var swapped = orientation >= 5;
                Assert.Equal(swapped ? 28 : 40, header.Width);
                Assert.Equal(swapped ? 40 : 28, header.Height);

                // Reference: ImageSharp's own AutoOrient on the whole decoded image, then a plain crop.
                using (var reference = Image.Load<Rgb24>(data))
                using (var image = loader.Decode(data, path, header))
                {
                    reference.Mutate(x => x.AutoOrient());
                    Assert.Equal(header.Width, reference.Width);
                    var rect = new PixelRect(3, 5, 3 + 17, 5 + 11);
                    var crop = ImageLoader.CopyUpright(image, rect, header.Orientation);
                    for (var y = 0; y < rect.Height; y++)
                    {
                        for (var x = 0; x < rect.Width; x++)
                        {
                            var expected = reference[(int)rect.Left + x, (int)rect.Top + y];
                            var o = ((y * (int)rect.Width) + x) * 3;
                            Assert.Equal(expected, new Rgb24(crop[o], crop[o + 1], crop[o + 2]));
                        }
                    }
                }

                var ignored = loader.ReadHeader(data, path, applyOrientation: false);
                Assert.Equal(1, ignored.Orientation);
                Assert.Equal(40, ignored.Width);
            }
        }

        [Fact]
        public void TruncatedJpegAndPngAreCorrupt()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(64, 48, 1))
            {
                var loader = new ImageLoader();
                foreach (var path in new[] { files.SaveJpeg("t.jpg", noise), files.SavePng("t.png", noise) })
                {
                    var data = File.ReadAllBytes(path);
                    var cut = new byte[data.Length * 2 / 3];
                    Array.Copy(data, cut, cut.Length);
                    var header = loader.ReadHeader(cut, path, true);
                    var ex = Assert.Throws<ImageLoadException>(() => loader.Decode(cut, path, header).Dispose());
                    Assert.Equal(ImageProblem.CorruptImage, ex.Problem);
                }
            }
        }

        [Fact]
        public void TextAndOtherFormatsAreTold()
        {
            var loader = new ImageLoader();
            var text = System.Text.Encoding.UTF8.GetBytes("not an image at all");
            Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageLoadException>(() => loader.ReadHeader(text, "a.txt", true)).Problem);
            Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageLoadException>(() => loader.ReadHeader(Array.Empty<byte>(), "e.jpg", true)).Problem);
            var heic = new byte[64];
            new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }.CopyTo(heic, 0);
            var ex = Assert.Throws<ImageLoadException>(() => loader.ReadHeader(heic, "p.heic", true));
            Assert.Equal(ImageProblem.UnsupportedFormat, ex.Problem);
            Assert.Contains("HEIF", ex.Message);
        }
    }
}
