using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;
using Xunit.Abstractions;

namespace InsightFaceEval.Tests.Onnx
{
    public class LocalFaceEngineTests : IClassFixture<EngineFixture>
    {
        private readonly EngineFixture _fixture;
        private readonly ITestOutputHelper _output;

        public LocalFaceEngineTests(EngineFixture fixture, ITestOutputHelper output)
        {
            _fixture = fixture;
            _output = output;
        }

        /// <summary>A crop as the vendor's helper makes it: the box grown by <paramref name="expansion"/>, clamped, longest side at most 256.</summary>
        internal static Image<Rgb24> Crop(Image<Rgb24> photo, FaceDetection box, double expansion)
        {
            var dw = (int)(box.Width * expansion / 2);
            var dh = (int)(box.Height * expansion / 2);
            var x1 = Math.Max(0, (int)box.X - dw);
            var y1 = Math.Max(0, (int)box.Y - dh);
            var x2 = Math.Min(photo.Width, (int)(box.X + box.Width) + dw);
            var y2 = Math.Min(photo.Height, (int)(box.Y + box.Height) + dh);
            var crop = photo.Clone(c => c.Crop(new Rectangle(x1, y1, x2 - x1, y2 - y1)));
            var longest = Math.Max(crop.Width, crop.Height);
            if (longest > 256)
            {
                var scale = 256.0 / longest;
                crop.Mutate(c => c.Resize((int)(crop.Width * scale), (int)(crop.Height * scale)));
            }

            return crop;
        }

        internal static byte[] Png(Image<Rgb24> image)
        {
            using (var stream = new MemoryStream())
            {
                image.SaveAsPng(stream);
                return stream.ToArray();
            }
        }

        internal static byte[] Jpeg(Image<Rgb24> image, int quality)
        {
            using (var stream = new MemoryStream())
            {
                image.SaveAsJpeg(stream, new JpegEncoder { Quality = quality });
                return stream.ToArray();
            }
        }

        private static double EyeToMouthRatio(float[] lm)
        {
            var eyes = Math.Sqrt(Math.Pow(lm[2] - lm[0], 2) + Math.Pow(lm[3] - lm[1], 2));
            var down = Math.Sqrt(Math.Pow(((lm[6] + lm[8]) / 2) - ((lm[0] + lm[2]) / 2), 2) + Math.Pow(((lm[7] + lm[9]) / 2) - ((lm[1] + lm[3]) / 2), 2));
            return eyes / down;
        }

        private static double Cosine(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
            return dot / Math.Sqrt(na * nb);
        }

        [AssetFact]
        public void SameFaceCapturesScoreClearlyAboveEveryDifferentPerson()
        {
            // Four captures of each frontal face in the sample photos: the vendor-style crop (0.2 margin, PNG),
            // a wider crop (0.5), the first mirrored, and the first re-encoded as JPEG quality 60.
            // Faces turned to profile are left out: their eyes overlap, so a five-point alignment is unstable
            // (for the profile face in sample2 two captures score about 0.05). The rule measures the pose: eye
            // distance under 0.7 of the eyes-to-mouth distance (about 0.87 on the frontal ArcFace template).
            var captures = new List<byte[]>();
            var person = new List<int>();
            var people = 0;
            var profiles = new List<string>();
            for (var photo = 1; photo <= 6; photo++)
            {
                using (var image = Image.Load<Rgb24>(TestAssets.Photo(photo)))
                {
                    foreach (var face in _fixture.Detector.Detect(RgbImage.FromImage(image)))
                    {
                        if (EyeToMouthRatio(face.Landmarks) < 0.7)
                        {
                            profiles.Add($"sample{photo} {face}");
                            continue;
                        }

                        using (var tight = Crop(image, face, 0.2))
                        using (var wide = Crop(image, face, 0.5))
                        using (var mirrored = tight.Clone(c => c.Flip(FlipMode.Horizontal)))
                        {
                            captures.Add(Png(tight));
                            captures.Add(Png(wide));
                            captures.Add(Png(mirrored));
                            captures.Add(Jpeg(tight, 60));
                        }

                        person.AddRange(Enumerable.Repeat(people++, 4));
                    }
                }
            }

            var vectors = _fixture.Engine.Embed(captures, CancellationToken.None);

            _output.WriteLine($"left out as profiles: {string.Join("; ", profiles)}");
            Assert.True(people >= 20, $"only {people} of the 22 faces are frontal enough");
            Assert.All(vectors, v => Assert.Equal(512, v.Length));
            var genuine = new List<double>();
            var impostor = new List<double>();
            for (var i = 0; i < vectors.Count; i++)
            {
                for (var j = i + 1; j < vectors.Count; j++)
                {
                    if (person[i] != person[j]) { impostor.Add(Cosine(vectors[i], vectors[j])); }
                    // Each other capture against the vendor-style one.
                    else if (i % 4 == 0) { genuine.Add(Cosine(vectors[i], vectors[j])); }
                }
            }

            _output.WriteLine($"same face, other capture ({genuine.Count} pairs): min {genuine.Min():F4}, mean {genuine.Average():F4}, max {genuine.Max():F4}");
            _output.WriteLine($"different people ({impostor.Count} pairs): min {impostor.Min():F4}, mean {impostor.Average():F4}, max {impostor.Max():F4}");
            Assert.Equal(people * 3, genuine.Count);
            Assert.Equal(people * (people - 1) / 2 * 16, impostor.Count);
            // "Clearly": the worst same-face pair still beats the best different-person pair by a wide gap.
            Assert.True(genuine.Min() > impostor.Max() + 0.15, $"genuine min {genuine.Min():F4} vs impostor max {impostor.Max():F4}");
        }

        [AssetFact]
        public void ACropWithoutAFaceIsAFailureToAcquire()
        {
            using (var image = Image.Load<Rgb24>(TestAssets.Photo(3)))
            using (var door = image.Clone(c => c.Crop(new Rectangle(0, 0, 300, 300))))
            using (var face = Crop(image, _fixture.Detector.DetectBoxes(RgbImage.FromImage(image))[0], 0.2))
            {
                var vectors = _fixture.Engine.Embed(new[] { Png(door), Png(face) }, CancellationToken.None);
                Assert.Empty(vectors[0]);
                Assert.Equal(512, vectors[1].Length);
                Assert.Null(_fixture.Engine.Prepare(Png(door)));
            }
        }

        [AssetFact]
        public void EmbeddingsAreUnitLengthAndReproducible()
        {
            using (var image = Image.Load<Rgb24>(TestAssets.Photo(6)))
            using (var crop = Crop(image, _fixture.Detector.DetectBoxes(RgbImage.FromImage(image))[0], 0.2))
            {
                var bytes = Png(crop);
                var first = _fixture.Engine.Embed(new[] { bytes }, CancellationToken.None)[0];
                var again = _fixture.Engine.Embed(new[] { bytes, bytes }, CancellationToken.None);
                Assert.Equal(1.0, Math.Sqrt(first.Sum(v => (double)v * v)), 5);
                Assert.Equal(first, again[0]);
                Assert.Equal(first, again[1]);

                var prepared = _fixture.Engine.Prepare(bytes);
                Assert.Equal(1, prepared.FaceCount);
                Assert.Equal(112, prepared.AlignedFace.Width);
                Assert.Equal(3 * 112 * 112, prepared.Input.Length);
            }
        }

        [AssetFact]
        public void AnUnreadableImageNamesItsPlaceInTheBatch()
        {
            var ex = Assert.Throws<InvalidDataException>(() =>
                _fixture.Engine.Embed(new[] { File.ReadAllBytes(TestAssets.Photo(1)), new byte[] { 1, 2, 3 } }, CancellationToken.None));
            Assert.Contains("Image 1", ex.Message);
        }

        [AssetFact]
        public void ACancelledCallStops()
        {
            var photos = Enumerable.Range(1, 6).Select(n => File.ReadAllBytes(TestAssets.Photo(n))).ToList();
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                Assert.ThrowsAny<OperationCanceledException>(() => _fixture.Engine.Embed(photos, cts.Token));
            }
        }

        [AssetFact]
        public void ModelNameDefaultsToTheFileName()
        {
            Assert.Equal("fr_feature", _fixture.Engine.ModelName);
            Assert.Equal(112, _fixture.Engine.Recognizer.InputSize);
            Assert.Equal(512, _fixture.Engine.Recognizer.EmbeddingLength);
            Assert.Equal(1, _fixture.Engine.Recognizer.MaxBatchSize);
        }
    }
}
