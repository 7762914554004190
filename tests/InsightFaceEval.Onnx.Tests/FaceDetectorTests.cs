using System;
using System.IO;
using System.Linq;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    public class FaceDetectorTests : IClassFixture<EngineFixture>
    {
        private readonly EngineFixture _fixture;

        public FaceDetectorTests(EngineFixture fixture)
        {
            _fixture = fixture;
        }

        // Counted by looking at each photo once; every face listed is unobstructed and at least ~150 px high.
        [AssetTheory]
        [InlineData(1, 3)] // three women at a table, all facing the camera
        [InlineData(2, 3)] // three women on a sofa: left one in three-quarter profile, the other two looking down
        [InlineData(3, 3)] // three women on a sofa facing the camera
        [InlineData(4, 4)] // four women standing in a row, one head turned to the side
        [InlineData(5, 5)] // five women on a staircase at two heights, all facing the camera
        [InlineData(6, 4)] // four women standing side by side facing the camera
        public void FindsEveryClearlyVisibleFaceInTheSamplePhotos(int photo, int expectedFaces)
        {
            var image = RgbImage.Load(TestAssets.Photo(photo));
            var faces = _fixture.Detector.Detect(image);

            Assert.Equal(expectedFaces, faces.Count);
            foreach (var face in faces)
            {
                Assert.InRange(face.Score.Value, 0.65f, 1f);
                // Faces in these photos are 150 to 320 px; a box outside that range is a false detection.
                Assert.InRange(face.Height, 120f, 400f);
                var lm = face.Landmarks;
                for (var i = 0; i < 5; i++)
                {
                    Assert.InRange(lm[2 * i], face.X, face.X + face.Width);
                    Assert.InRange(lm[(2 * i) + 1], face.Y, face.Y + face.Height);
                }

                // Left eye left of the right eye; going down the face (perpendicular to the eye line, so a tilted
                // head counts too): eyes, then the nose tip, then both mouth corners.
                Assert.True(lm[0] < lm[2], $"eyes swapped in sample{photo} at {face}");
                double ex = lm[2] - lm[0], ey = lm[3] - lm[1];
                double mx = (lm[0] + lm[2]) / 2, my = (lm[1] + lm[3]) / 2;
                double Down(int k) => ((lm[2 * k] - mx) * -ey + (lm[(2 * k) + 1] - my) * ex) / Math.Sqrt((ex * ex) + (ey * ey));
                Assert.True(Down(2) > 0, $"nose tip not below the eyes in sample{photo} at {face}");
                Assert.True(Down(3) > Down(2) && Down(4) > Down(2), $"mouth not below the nose tip in sample{photo} at {face}");
            }

            // No two detections are the same face.
            for (var i = 0; i < faces.Count; i++)
            {
                for (var j = i + 1; j < faces.Count; j++)
                {
                    Assert.True(FaceDetection.IntersectionOverUnion(faces[i], faces[j]) < 0.2f);
                }
            }
        }

        [AssetFact]
        public void APhotoStoredSidewaysWithAnOrientationTagGivesTheSameUprightFaces()
        {
            using (var upright = Image.Load<Rgb24>(TestAssets.Photo(1)))
            {
                upright.Mutate(c => c.Resize(960, 640));
                var expected = _fixture.Detector.Detect(RgbImage.FromImage(upright)).OrderBy(f => f.X).ToList();

                using (var sideways = upright.Clone(c => c.Rotate(RotateMode.Rotate270)))
                using (var png = new MemoryStream())
                {
                    sideways.Metadata.ExifProfile = new ExifProfile();
                    sideways.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
                    sideways.SaveAsPng(png);
                    var decoded = RgbImage.Decode(png.ToArray());
                    var actual = _fixture.Detector.Detect(decoded).OrderBy(f => f.X).ToList();

                    Assert.Equal(960, decoded.Width);
                    Assert.Equal(3, expected.Count);
                    Assert.Equal(expected.Count, actual.Count);
                    for (var i = 0; i < expected.Count; i++)
                    {
                        Assert.InRange(actual[i].X, expected[i].X - 1, expected[i].X + 1);
                        Assert.InRange(actual[i].Y, expected[i].Y - 1, expected[i].Y + 1);
                        Assert.InRange(actual[i].Width, expected[i].Width - 1, expected[i].Width + 1);
                    }
                }
            }
        }

        [AssetFact]
        public void ThresholdsChangeWhatIsKept()
        {
            var image = RgbImage.Load(TestAssets.Photo(4));
            using (var strict = FaceDetector.Open(TestAssets.Detector, TestAssets.Landmark, new FaceDetectorOptions { ConfidenceThreshold = 0.99f }))
            using (var large = FaceDetector.Open(TestAssets.Detector, TestAssets.Landmark, new FaceDetectorOptions { MinimumFaceSize = 170 }))
            {
                var all = _fixture.Detector.DetectBoxes(image);
                Assert.Equal(all.Count(f => f.Score >= 0.99f), strict.DetectBoxes(image).Count);
                Assert.Equal(all.Count(f => Math.Min(f.Width, f.Height) >= 170), large.DetectBoxes(image).Count);
                Assert.True(strict.DetectBoxes(image).Count < all.Count || large.DetectBoxes(image).Count < all.Count);
            }
        }
    }
}
