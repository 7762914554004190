using System;
using System.IO;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    // Exactness against cv2.imread is checked by the Pester interop tests (they need Python and cv2);
    // here: regions agree with the whole image, the decoder agrees with ImageSharp up to the small
    // differences between two correct decoders, and it declines what it does not decode.
    public class JpegRegionDecoderTests
    {
        private static byte[] Encode(Image<Rgb24> image, JpegColorType type, int quality = 90)
        {
            var ms = new MemoryStream();
            image.Save(ms, new JpegEncoder { ColorType = type, Quality = quality });
            return ms.ToArray();
        }

        private static Image<Rgb24> Smooth(int width, int height, int seed)
        {
            var random = new Random(seed);
            var image = new Image<Rgb24>(width, height);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)(((x + y) * 2) + random.Next(24)));
                }
            }

            return image;
        }

        [Theory]
        [InlineData(JpegColorType.YCbCrRatio420, 101, 67)]
        [InlineData(JpegColorType.YCbCrRatio422, 64, 48)]
        [InlineData(JpegColorType.YCbCrRatio444, 33, 90)]
        [InlineData(JpegColorType.Luminance, 50, 21)]
        public void RegionsEqualTheWholeImageAndImageSharpClosely(JpegColorType type, int width, int height)
        {
            using (var source = Smooth(width, height, width))
            {
                var data = Encode(source, type);
                var decoder = JpegRegionDecoder.TryCreate(data);
                Assert.NotNull(decoder);
                Assert.True(decoder.TryDecode(new PixelRect(0, 0, width, height), out var whole));
                using (var reference = Image.Load<Rgb24>(data))
                {
                    long total = 0;
                    var worst = 0;
                    for (var y = 0; y < height; y++)
                    {
                        for (var x = 0; x < width; x++)
                        {
                            var p = reference[x, y];
                            var o = ((y * width) + x) * 3;
                            foreach (var (a, b) in new[] { (p.R, whole[o]), (p.G, whole[o + 1]), (p.B, whole[o + 2]) })
                            {
                                var d = Math.Abs(a - b);
                                total += d;
                                worst = Math.Max(worst, d);
                            }
                        }
                    }

                    // ImageSharp upsamples chroma differently from libjpeg (single pixels at colour edges can differ
                    // by tens of levels), but on average the two agree closely; a wrong transform would be far off.
                    Assert.True(total / (3.0 * width * height) < 2.5, $"mean difference from ImageSharp {total / (3.0 * width * height):0.00} (largest {worst})");
                }

                var random = new Random(1);
                for (var i = 0; i < 40; i++)
                {
                    var x0 = random.Next(width);
                    var y0 = random.Next(height);
                    var rect = new PixelRect(x0, y0, x0 + 1 + random.Next(width - x0), y0 + 1 + random.Next(height - y0));
                    var fresh = JpegRegionDecoder.TryCreate(data);
                    Assert.True(fresh.TryDecode(rect, out var part));
                    for (var y = 0; y < rect.Height; y++)
                    {
                        for (var k = 0; k < rect.Width * 3; k++)
                        {
                            Assert.Equal(whole[((((int)rect.Top + y) * width) + (int)rect.Left) * 3 + k], part[(y * (int)rect.Width * 3) + k]);
                        }
                    }
                }
            }
        }

        [Fact]
        public void DeclinesProgressiveAndOtherSubsampling()
        {
            using (var source = Smooth(40, 40, 3))
            {
                // The same file with its luma sampling patched from 2x2 to 4x1 (4:1:1).
                var data = Encode(source, JpegColorType.YCbCrRatio420);
                Assert.NotNull(JpegRegionDecoder.TryCreate(data));
                var sof = FindMarker(data, 0xC0);
                Assert.Equal(0x22, data[sof + 11]);
                data[sof + 11] = 0x41;
                Assert.Null(JpegRegionDecoder.TryCreate(data));

                // An RGB JPEG (Adobe transform 0), which libjpeg does not convert from YCbCr.
                Assert.Null(JpegRegionDecoder.TryCreate(Encode(source, JpegColorType.Rgb)));
                Assert.Null(JpegRegionDecoder.TryCreate(new byte[] { 0xFF, 0xD8, 0xFF, 0xC2, 0, 2 }));
                Assert.Null(JpegRegionDecoder.TryCreate(new byte[] { 1, 2, 3, 4 }));
            }
        }

        private static int FindMarker(byte[] data, byte marker)
        {
            for (var i = 2; i + 1 < data.Length; i++)
            {
                if (data[i] == 0xFF && data[i + 1] == marker) { return i; }
            }

            return -1;
        }

        [Fact]
        public void DamagedScansAreHandedBack()
        {
            using (var source = Smooth(64, 64, 4))
            {
                var data = Encode(source, JpegColorType.YCbCrRatio420);
                var cut = new byte[data.Length - 200];
                Array.Copy(data, cut, cut.Length);
                var decoder = JpegRegionDecoder.TryCreate(cut);
                Assert.NotNull(decoder);
                Assert.False(decoder.TryDecode(new PixelRect(0, 48, 64, 64), out _));
            }
        }

        [Fact]
        public void DamagedBytesNeverThrowOrHang()
        {
            using (var source = Smooth(96, 80, 6))
            {
                var original = Encode(source, JpegColorType.YCbCrRatio420, 80);
                var random = new Random(11);
                var decoded = 0;
                for (var round = 0; round < 300; round++)
                {
                    var data = (byte[])original.Clone();
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        data[random.Next(2, data.Length)] = (byte)random.Next(256);
                    }

                    var decoder = JpegRegionDecoder.TryCreate(data);
                    if (decoder == null) { continue; }
                    var w = decoder.Width;
                    var h = decoder.Height;
                    if ((long)w * h > 4_000_000) { continue; }
                    if (decoder.TryDecode(new PixelRect(0, 0, w, h), out var rgb))
                    {
                        Assert.Equal(w * h * 3, rgb.Length);
                        decoded++;
                    }
                }

                Assert.True(decoded > 0);
            }
        }

        [Fact]
        public void TheCropperGivesTheSameCropsWithOrWithoutIt()
        {
            using (var files = new TestImages())
            using (var source = Smooth(120, 90, 5))
            {
                var path = files.PathOf("alice/j.jpg");
                File.WriteAllBytes(path, Encode(source, JpegColorType.YCbCrRatio444, 100));
                byte[] Crop(bool region)
                {
                    var cropper = new FaceCropper(new CropOptions { OutputDirectory = Path.Combine(files.Root, "o"), UseJpegRegionDecoder = region, MaxSide = 0 });
                    var job = new CropJob(path, "alice/j.jpg", "alice", new[] { new FaceDetection(10, 10, 60, 50) });
                    return cropper.Process(job, CancellationToken.None).Outcomes[0].Png;
                }

                using (var a = Image.Load<Rgb24>(Crop(true)))
                using (var b = Image.Load<Rgb24>(Crop(false)))
                {
                    Assert.Equal(a.Width, b.Width);
                    var worst = 0;
                    for (var y = 0; y < a.Height; y++)
                    {
                        for (var x = 0; x < a.Width; x++)
                        {
                            worst = Math.Max(worst, Math.Abs(a[x, y].R - b[x, y].R));
                        }
                    }

                    Assert.True(worst <= 4, $"largest difference {worst}");
                }
            }
        }
    }
}
