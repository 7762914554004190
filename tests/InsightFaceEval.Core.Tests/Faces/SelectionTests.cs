using System.Linq;
using InsightFaceEval.Faces;
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
            var kept = FaceSelection.SuppressOverlaps(new[]
            {
                Box(100, 100, 50, 50, 0.80f),
                Box(104, 102, 50, 50, 0.95f), // same face, better score
                Box(300, 100, 50, 50, 0.70f), // another face
                Box(125, 100, 50, 50, 0.90f), // IoU 0.39 with the best: below 0.4, kept
            }, 0.4f);

            Assert.Equal(new[] { 0.95f, 0.90f, 0.70f }, kept.Select(k => k.Score).ToArray());
        }

        [Fact]
        public void TheCentralFaceBeatsALargerOneAtTheEdge()
        {
            // A crop of the subject (central) with a bystander's larger face cut at the edge.
            var faces = new[] { Box(0, 0, 120, 130, 0.99f), Box(100, 90, 100, 110, 0.99f) };
            Assert.Equal(1, FaceSelection.SelectOne(faces, 300, 300, FaceSelectionMode.LargestNearCenter));
            Assert.Equal(0, FaceSelection.SelectOne(faces, 300, 300, FaceSelectionMode.Largest));
            Assert.Equal(-1, FaceSelection.SelectOne(new FaceDetection[0], 300, 300, FaceSelectionMode.Largest));
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
