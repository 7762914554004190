using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace InsightFaceEval.Tests.Imaging
{
    public class FaceCropperTests
    {
        private static CropJobResult Run(TestImages files, string source, CropOptions options, params FaceDetection[] faces)
        {
            options.OutputDirectory = options.OutputDirectory ?? Path.Combine(files.Root, "out");
            var cropper = new FaceCropper(options);
            var job = new CropJob(source, DatasetPaths.Relative(files.Root, source), DatasetPaths.IdentityOf(source), faces);
            return cropper.Process(job, CancellationToken.None);
        }

        private static byte[] Pixels(Image<Rgb24> image)
        {
            var bytes = new byte[image.Width * image.Height * 3];
            for (var y = 0; y < image.Height; y++)
            {
                MemoryMarshal.AsBytes(image.DangerousGetPixelRowMemory(y).Span).CopyTo(new Span<byte>(bytes, y * image.Width * 3, image.Width * 3));
            }

            return bytes;
        }

        [Fact]
        public void UnresizedCropPixelsEqualTheSource()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(120, 90, 7))
            {
                var source = files.SavePng("alice/a.png", noise);
                var result = Run(files, source, new CropOptions { MaxSide = 0 }, new FaceDetection(20, 15, 50, 40));
                var outcome = Assert.Single(result.Outcomes);
                var crop = outcome.Crop;
                Assert.Equal(new[] { 15, 11, 60, 48 }, crop.CropBox);
                Assert.Equal("alice/a_0.png", crop.RelativePath);
                Assert.Equal("alice", crop.Identity);
                using (var saved = Image.Load<Rgb24>(outcome.Png))
                using (var expected = noise.Clone(x => x.Crop(new Rectangle(15, 11, 60, 48))))
                {
                    Assert.Equal(Pixels(expected), Pixels(saved));
                }
            }
        }

        [Fact]
        public void LargeCropsShrinkToMaxSideAndCarryTheirLandmarks()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(700, 500, 3))
            {
                var source = files.SavePng("b.png", noise);
                var landmarks = new float[] { 200, 200, 300, 200, 250, 250, 210, 300, 290, 300 };
                var result = Run(files, source, new CropOptions(), new FaceDetection(100, 100, 300, 280, 0.9f, landmarks));
                var crop = Assert.Single(result.Outcomes).Crop;

                // dw = 30, dh = 28: crop [70, 430) x [72, 408) = 360 x 336; scale 256/360: 256 x int(336 * 0.7111) = 238.
                Assert.Equal(new[] { 70, 72, 360, 336 }, crop.CropBox);
                Assert.Equal((256, 238), (crop.Width, crop.Height));
                Assert.Equal(256.0 / 360, crop.Scale);
                Assert.Equal(0.9f, crop.DetectionScore);
                Assert.Equal((200 - 70) * 256.0 / 360, crop.Landmarks[0], 3);
                Assert.Equal((200 - 72) * 238.0 / 336, crop.Landmarks[1], 3);
            }
        }

        [Fact]
        public void NoMetadataLeavesInACrop()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(80, 60, 5))
            {
                var source = files.SaveJpeg("gps.jpg", noise, orientation: 1, withGps: true);
                Assert.NotNull(Image.Identify(source).Metadata.ExifProfile);
                var outcome = Assert.Single(Run(files, source, new CropOptions(), new FaceDetection(10, 10, 30, 30)).Outcomes);
                Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, TestImages.PngChunks(outcome.Png));
                Assert.DoesNotContain("TestCam", System.Text.Encoding.ASCII.GetString(outcome.Png));
            }
        }

        [Fact]
        public void EachBadBoxIsReportedWhileTheOthersAreCropped()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(100, 80, 9))
            {
                var source = files.SavePng("many.png", noise);
                var result = Run(
                    files,
                    source,
                    new CropOptions(),
                    new FaceDetection(10, 10, 20, 20),
                    new FaceDetection(10, 10, 0, 20),
                    new FaceDetection(10, 10, -5, 20),
                    new FaceDetection(200, 10, 20, 20),
                    new FaceDetection(double.NaN, 10, 20, 20),
                    new FaceDetection(-30, 10, 40, 20),
                    new FaceDetection(50, 40, 20, 20));
                var problems = result.Outcomes.Where(o => o.Problem.HasValue).Select(o => (o.FaceIndex, o.Problem.Value)).ToArray();
                Assert.Equal(
                    new (int?, CropProblem)[] { (1, CropProblem.EmptyBox), (2, CropProblem.EmptyBox), (3, CropProblem.BoxOutsideImage), (4, CropProblem.InvalidBox) },
                    problems);
                Assert.Equal(new[] { 0, 5, 6 }, result.Outcomes.Where(o => o.Crop != null).Select(o => o.Crop.FaceIndex));
                var warning = Assert.Single(result.Outcomes, o => o.Warning != null);
                Assert.Equal(5, warning.FaceIndex);
                Assert.Equal(new[] { "many_0.png", "many_5.png", "many_6.png" }, result.Outcomes.Where(o => o.Crop != null).Select(o => o.Crop.RelativePath));
            }
        }

        [Fact]
        public void WholeImageProblemsHaveTheirOwnKinds()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(64, 64, 2))
            {
                var box = new FaceDetection(5, 5, 20, 20);
                var good = files.SavePng("good.png", noise);
                var text = files.PathOf("notes.jpg");
                File.WriteAllText(text, "hello");
                var truncated = files.PathOf("cut.jpg");
                var jpeg = File.ReadAllBytes(files.SaveJpeg("whole.jpg", noise));
                File.WriteAllBytes(truncated, jpeg.Take(jpeg.Length / 2).ToArray());

                CropProblem ProblemOf(string path, CropOptions options = null, params FaceDetection[] faces) =>
                    Assert.Single(Run(files, path, options ?? new CropOptions(), faces.Length == 0 ? new[] { box } : faces).Outcomes).Problem.Value;

                Assert.Equal(CropProblem.FileNotFound, ProblemOf(Path.Combine(files.Root, "missing.png")));
                Assert.Equal(CropProblem.NotAnImage, ProblemOf(text));
                Assert.Equal(CropProblem.CorruptImage, ProblemOf(truncated));
                Assert.Equal(CropProblem.ImageTooLarge, ProblemOf(good, new CropOptions { MaxPixels = 64 * 64 - 1 }));
                Assert.Equal(CropProblem.MultipleFaces, ProblemOf(good, new CropOptions { Selection = FaceSelection.RequireOne }, box, box));
                Assert.Equal(CropProblem.NoFace, Assert.Single(Run(files, good, new CropOptions()).Outcomes).Problem.Value);
                Assert.NotNull(Assert.Single(Run(files, good, new CropOptions { MaxPixels = 64 * 64 }, box).Outcomes).Crop);
            }
        }

        [Fact]
        public void ThePixelCapIsCheckedBeforeDecoding()
        {
            using (var files = new TestImages())
            using (var big = new Image<Rgb24>(3000, 2000))
            {
                // A valid header whose pixel data is garbage: decoding it would be a corrupt-image error.
                var path = files.PathOf("big.png");
                var ms = new MemoryStream();
                big.SaveAsPng(ms);
                var bytes = ms.ToArray();
                for (var i = 60; i < bytes.Length - 12; i++) { bytes[i] = 0x5A; }
                File.WriteAllBytes(path, bytes);
                var outcome = Assert.Single(Run(files, path, new CropOptions { MaxPixels = 5_000_000 }, new FaceDetection(1, 1, 10, 10)).Outcomes);
                Assert.Equal(CropProblem.ImageTooLarge, outcome.Problem);
                Assert.Contains("6,000,000", outcome.Message);
            }
        }

        [Fact]
        public void ExistingCropsAreKeptWithoutForce()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(50, 50, 4))
            {
                var source = files.SavePng("k.png", noise);
                var existing = Path.Combine(files.Root, "out", "k_0.png");
                Directory.CreateDirectory(Path.GetDirectoryName(existing));
                File.WriteAllText(existing, "keep");
                Assert.Equal(CropProblem.OutputExists, Assert.Single(Run(files, source, new CropOptions(), new FaceDetection(5, 5, 10, 10)).Outcomes).Problem);
                Assert.NotNull(Assert.Single(Run(files, source, new CropOptions { Force = true }, new FaceDetection(5, 5, 10, 10)).Outcomes).Crop);
            }
        }

        [Fact]
        public void AnIdenticalExistingCropIsReusedAndADifferentOneIsKept()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(60, 60, 5))
            {
                var source = files.SavePng("r.png", noise);
                var existing = Path.Combine(files.Root, "out", "r_0.png");
                Directory.CreateDirectory(Path.GetDirectoryName(existing));
                var made = Assert.Single(Run(files, source, new CropOptions(), new FaceDetection(5, 5, 20, 20)).Outcomes);
                File.WriteAllBytes(existing, made.Png);
                var written = File.GetLastWriteTimeUtc(existing);

                // Same source, box and settings: the file is this crop, passed on and not written again.
                var again = Assert.Single(Run(files, source, new CropOptions(), new FaceDetection(5, 5, 20, 20)).Outcomes);
                Assert.True(again.Reused);
                Assert.Null(again.Problem);
                Assert.Equal(existing, again.Crop.Path);
                Assert.Equal(made.Crop.CropBox, again.Crop.CropBox);

                // Under -WhatIf (no encoding asked for) the file is still compared.
                Assert.True(Assert.Single(Run(files, source, new CropOptions { Encode = false }, new FaceDetection(5, 5, 20, 20)).Outcomes).Reused);

                // Another box, or another setting, makes other bytes: the file is kept and reported.
                var otherBox = Assert.Single(Run(files, source, new CropOptions(), new FaceDetection(6, 5, 20, 20)).Outcomes);
                Assert.Equal(CropProblem.OutputExists, otherBox.Problem);
                Assert.Contains("is not this crop", otherBox.Message);
                Assert.Equal(CropProblem.OutputExists, Assert.Single(Run(files, source, new CropOptions { ExpansionFactor = 0.4 }, new FaceDetection(5, 5, 20, 20)).Outcomes).Problem);
                Assert.Equal(made.Png, File.ReadAllBytes(existing));
                Assert.Equal(written, File.GetLastWriteTimeUtc(existing));
            }
        }

        [Fact]
        public void LargestKeepsTheFaceIndexOfTheChosenBox()
        {
            using (var files = new TestImages())
            using (var noise = TestImages.Noise(100, 100, 6))
            {
                var source = files.SavePng("sel.png", noise);
                var result = Run(files, source, new CropOptions { Selection = FaceSelection.Largest }, new FaceDetection(0, 0, 10, 10), new FaceDetection(40, 40, 30, 30));
                Assert.Equal("sel_1.png", Assert.Single(result.Outcomes).Crop.RelativePath);
            }
        }
    }
}
