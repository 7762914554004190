using System.Linq;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using Xunit;

namespace InsightFaceEval.Tests.Faces
{
    public class SelectionTests
    {
        private static void AssertClose(float[] expected, float[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++) { Assert.Equal(expected[i], actual[i], 5); }
        }

        private static FaceDetection Box(float x, float y, float w, float h, float score) => new FaceDetection(x, y, w, h, score, null);

        [Fact]
        public void SuppressionKeepsTheBestOfEachOverlappingGroup()
        {
            var kept = FaceDetection.SuppressOverlaps(new[]
            {
                Box(100, 100, 50, 50, 0.80f),
                Box(104, 102, 50, 50, 0.95f), // same face, better score
                Box(300, 100, 50, 50, 0.70f), // another face
                Box(125, 100, 50, 50, 0.90f), // IoU 0.39 with the best: below 0.4, kept
            }, 0.4f);

            Assert.Equal(new[] { 0.95f, 0.90f, 0.70f }, kept.Select(k => k.Score.Value).ToArray());
        }

        [Fact]
        public void TheCentralFaceBeatsALargerOneAtTheEdge()
        {
            // A crop of the subject (central) with a bystander's larger face cut at the edge.
            var faces = new[] { Box(0, 0, 120, 130, 0.99f), Box(100, 90, 100, 110, 0.99f) };
            Assert.Equal(1, FaceSelectionRule.PickOne(faces, FaceSelection.LargestCentered, 300, 300));
            Assert.Equal(1, FaceSelectionRule.PickOne(faces, FaceSelection.RequireOne, 300, 300));
            Assert.Equal(0, FaceSelectionRule.PickOne(faces, FaceSelection.Largest, 300, 300));
            Assert.Equal(-1, FaceSelectionRule.PickOne(new FaceDetection[0], FaceSelection.Largest, 300, 300));
            Assert.Throws<System.ArgumentException>(() => FaceSelectionRule.PickOne(faces, FaceSelection.All, 300, 300));
        }

        [Fact]
        public void EqualFacesGoToTheHigherScoreThenTheEarlierOneForCropsAndEmbeddingsAlike()
        {
            // Same area, mirrored about the centre: equal values. The later face has the higher score.
            var scored = new[] { Box(50, 100, 80, 80, 0.80f), Box(170, 100, 80, 80, 0.95f) };
            var unscored = new[] { new FaceDetection(50, 100, 80, 80), new FaceDetection(170, 100, 80, 80) };
            var mixed = new[] { new FaceDetection(50, 100, 80, 80), Box(170, 100, 80, 80, 0.10f) };
            foreach (var selection in new[] { FaceSelection.LargestCentered, FaceSelection.Largest })
            {
                Assert.Equal(1, FaceSelectionRule.PickOne(scored, selection, 300, 300));
                Assert.Equal(new[] { 1 }, FaceSelectionRule.Apply(scored, selection, 300, 300));
                Assert.Equal(new[] { 0 }, FaceSelectionRule.Apply(unscored, selection, 300, 300));
                Assert.Equal(new[] { 1 }, FaceSelectionRule.Apply(mixed, selection, 300, 300));
            }
        }

        [Fact]
        public void TheImageCentreIsInWholePixelsAsInsightFaceTakesIt()
        {
            // A 301-pixel-wide image: InsightFace's centre is 301 // 2 = 150, so the face centred on 150 is
            // central and the one centred on 151 is a pixel off (at 150.5 both would be half a pixel off).
            var faces = new[] { Box(111, 100, 80, 80, 0.99f), Box(110, 100, 80, 80, 0.50f) };
            Assert.Equal(1, FaceSelectionRule.PickOne(faces, FaceSelection.LargestCentered, 301, 300));
            Assert.Equal(new[] { 1 }, FaceSelectionRule.Apply(faces, FaceSelection.LargestCentered, 301, 300));
        }

        [Fact]
        public void ACentreWithUnusableNumbersNeverWinsAndAllUnusableKeepsEveryFace()
        {
            var nan = new FaceDetection(double.NaN, 10, 20, 20);
            Assert.Equal(new[] { 1 }, FaceSelectionRule.Apply(new[] { nan, new FaceDetection(5, 5, 10, 10) }, FaceSelection.LargestCentered, 100, 100));
            Assert.Equal(new[] { 0, 1 }, FaceSelectionRule.Apply(new[] { nan, nan }, FaceSelection.LargestCentered, 100, 100));
        }

        [Fact]
        public void ADetectionKeepsItsNumbersExactlyAndBecomesFindFacesRecord()
        {
            // Boxes given as numbers stay doubles (the crop geometry rounds them as the vendor helper does).
            var given = FaceDetection.FromValues(0.1, 0.2, 10.3, 20.7, BoxFormat.XYXY);
            Assert.Equal(new[] { 0.1, 0.2, 10.3 - 0.1, 20.7 - 0.2 }, given.ToArray());
            Assert.Null(given.Score);
            Assert.Null(given.Landmarks);

            var landmarks = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
            var found = new FaceDetection(10.123f, 20.456f, 30.5f, 40.25f, 0.9f, landmarks);
            var record = found.ToDetectedFace("photo.jpg", 1, 2, 640, 480, "det.onnx");
            Assert.Equal(new[] { 10.12, 20.46, 30.5, 40.25 }, record.BoundingBox);
            Assert.Equal(landmarks, record.Landmarks);
            Assert.Equal(0.9f, record.DetectionScore);
            Assert.Equal(new object[] { "photo.jpg", 1, 2, 640, 480, "det.onnx" }, new object[] { record.Path, record.FaceIndex, record.FaceCount, record.ImageWidth, record.ImageHeight, record.Detector });
            Assert.Throws<System.ArgumentException>(() => new FaceDetection(0, 0, 1, 1, null, new float[] { 1, 2 }));
        }

        [Fact]
        public void NormalisationPresetsFollowTheirModels()
        {
            var image = new RgbImage(1, 1, new byte[] { 255, 127, 0 });
            var v = new float[3];
            PixelNormalization.InsightFace.WritePlanar(image, v, 0);
            AssertClose(new[] { 1f, -0.5f / 127.5f, -1f }, v);
            PixelNormalization.FacePlugin.WritePlanar(image, v, 0);
            AssertClose(new[] { 1f, 0f, -127f / 128f }, v);
            new PixelNormalization("bgr", 0, 1, ChannelOrder.Bgr).WritePlanar(image, v, 0);
            AssertClose(new[] { 0f, 127f, 255f }, v);
            Assert.Same(PixelNormalization.FacePlugin, PixelNormalization.FromPreset("FacePlugin"));
            Assert.Throws<System.ArgumentException>(() => PixelNormalization.FromPreset("arcface"));
        }
    }
}
