using System.IO;
using InsightFaceEval.Faces;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace InsightFaceEval.Tests.Faces
{
    public class RgbImageTests
    {
        [Fact]
        public void ExifOrientationIsAppliedSoTheImageIsUpright()
        {
            // Upright: 40 wide, 20 high, red on the left half, blue on the right.
            using (var upright = new Image<Rgb24>(40, 20))
            {
                for (var y = 0; y < 20; y++)
                {
                    for (var x = 0; x < 40; x++) { upright[x, y] = x < 20 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255); }
                }

                // A camera held sideways stores the pixels turned a quarter left and tags "rotate 90 clockwise to view" (6).
                using (var stored = upright.Clone(c => c.Rotate(RotateMode.Rotate270)))
                using (var png = new MemoryStream())
                {
                    stored.Metadata.ExifProfile = new ExifProfile();
                    stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
                    stored.SaveAsPng(png);
                    Assert.Equal(20, stored.Width);

                    var decoded = RgbImage.Decode(png.ToArray());

                    Assert.Equal(40, decoded.Width);
                    Assert.Equal(20, decoded.Height);
                    Assert.Equal(255, decoded.Pixels[(10 * 40 + 5) * 3]);      // left: red
                    Assert.Equal(255, decoded.Pixels[((10 * 40 + 35) * 3) + 2]); // right: blue
                }
            }
        }

        [Fact]
        public void BytesThatAreNotAnImageAreInvalidData()
        {
            var ex = Assert.Throws<InvalidDataException>(() => RgbImage.Decode(System.Text.Encoding.UTF8.GetBytes("not an image")));
            Assert.Contains("image format", ex.Message);
        }

        [Fact]
        public void ResizeToFitKeepsTheAspectRatio()
        {
            var image = new RgbImage(1920, 1280, new byte[1920 * 1280 * 3]);
            var scaled = image.ResizeToFit(320, 240, out var factor);
            Assert.Equal(320, scaled.Width);
            Assert.Equal(213, scaled.Height);
            Assert.Equal(1f / 6f, factor, 5);
        }
    }
}
