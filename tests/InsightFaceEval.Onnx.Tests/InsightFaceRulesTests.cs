using System.Linq;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    /// <summary>InsightFace's rules the local engine follows: the ArcFace input rule, the detector letterbox, OpenCV's resize.</summary>
    public class InsightFaceRulesTests
    {
        private static readonly TinyOnnx.Tensor Faces = new TinyOnnx.Tensor("data", null, 3, 112, 112);
        private static readonly TinyOnnx.Tensor Embedding = new TinyOnnx.Tensor("fc1", null, 3);

        [Theory]
        [InlineData("mxnet", new[] { "_minus0", "_mul0" }, PixelNormalization.RawPreset)]
        [InlineData("sub-mul", new[] { "Sub_12", "Mul_13" }, PixelNormalization.RawPreset)]
        [InlineData("sub-only", new[] { "Sub_12", "Conv_13" }, PixelNormalization.InsightFacePreset)]
        [InlineData("unnamed", new[] { "", "" }, PixelNormalization.InsightFacePreset)]
        public void AnArcFaceGraphThatNormalisesItsInputGetsRawPixels(string name, string[] nodes, string expected)
        {
            var path = TinyOnnx.Save(TinyOnnx.ChainNamed(Faces, Embedding, nodes, "GlobalAveragePool", "Flatten"), $"rule-{name}.onnx");

            Assert.Equal(nodes, OnnxGraphNodes.FirstNames(path, 8).ToArray());
            Assert.Equal(expected, OnnxGraphNodes.ArcFaceNormalization(path, out _).Name);
            using (var recognizer = FaceRecognizer.Open(path))
            {
                Assert.Equal(expected, recognizer.Normalization.Name);
            }

            // A preset the caller names wins over the rule.
            using (var forced = FaceRecognizer.Open(path, new FaceRecognizerOptions { Normalization = PixelNormalization.FacePlugin }))
            {
                Assert.Equal(PixelNormalization.FacePluginPreset, forced.Normalization.Name);
                Assert.Equal("as given", forced.NormalizationSource);
            }
        }

        [Fact]
        public void OnlyTheFirstEightNodesCount()
        {
            var names = new[] { "a", "b", "c", "d", "e", "f", "g", "h", "_minus0", "_mul0" };
            var operators = Enumerable.Repeat("Relu", 8).Concat(new[] { "GlobalAveragePool", "Flatten" }).ToArray();
            var path = TinyOnnx.Save(TinyOnnx.ChainNamed(Faces, Embedding, names, operators), "rule-late.onnx");

            Assert.Equal(names.Take(8), OnnxGraphNodes.FirstNames(path, 8));
            Assert.Equal(PixelNormalization.InsightFacePreset, OnnxGraphNodes.ArcFaceNormalization(path, out _).Name);
        }

        [Fact]
        public void TheLetterboxScalesToFitAtTheTopLeftAndLeavesTheRestBlack()
        {
            // A 100 x 200 portrait into 640 x 640: 320 x 640 at the left, scale 3.2; the right half is black.
            var image = new RgbImage(100, 200, Enumerable.Repeat((byte)255, 100 * 200 * 3).ToArray());
            var tensor = AnchoredDetectorHead.Letterbox(image, 640, 640, out var scale);

            Assert.Equal(3.2f, scale, 5);
            var white = (255 - 127.5f) / 128f;
            var black = -127.5f / 128f;
            Assert.Equal(white, tensor[(10 * 640) + 10], 5);
            Assert.Equal(white, tensor[(639 * 640) + 319], 5);
            Assert.Equal(black, tensor[(10 * 640) + 320], 5);
            Assert.Equal(black, tensor[(2 * 640 * 640) + (639 * 640) + 639], 5);
        }

        [Fact]
        public void TheLetterboxTruncatesTheScaledSideAsInsightFaceDoes()
        {
            // 300 x 200 into 640: width 640, height int(640 * 2/3) = 426, scale 426 / 200 (not 640 / 300).
            var image = new RgbImage(300, 200, Enumerable.Repeat((byte)200, 300 * 200 * 3).ToArray());
            var tensor = AnchoredDetectorHead.Letterbox(image, 640, 640, out var scale);

            Assert.Equal(426f / 200f, scale, 6);
            Assert.NotEqual(-127.5f / 128f, tensor[(425 * 640) + 5], 5);
            Assert.Equal(-127.5f / 128f, tensor[(426 * 640) + 5], 5);
        }

        [Fact]
        public void BilinearResizeAveragesPixelPairsAtHalfSizeAsOpenCvDoes()
        {
            // One row 0, 100, 200, 50 (grey): OpenCV's INTER_LINEAR at half width samples at 0.5 and 2.5 -> 50, 125.
            var pixels = new byte[4 * 1 * 3];
            var row = new byte[] { 0, 100, 200, 50 };
            for (var x = 0; x < 4; x++) { pixels[3 * x] = pixels[(3 * x) + 1] = pixels[(3 * x) + 2] = row[x]; }
            var half = new RgbImage(4, 1, pixels).ResizeBilinear(2, 1);

            Assert.Equal(50, half.Pixels[0]);
            Assert.Equal(125, half.Pixels[3]);

            // Upscaling repeats the edge: 2 -> 4 samples at -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
            var two = new RgbImage(2, 1, new byte[] { 0, 0, 0, 200, 200, 200 }).ResizeBilinear(4, 1);
            Assert.Equal(new byte[] { 0, 50, 150, 200 }, Enumerable.Range(0, 4).Select(i => two.Pixels[3 * i]).ToArray());
        }
    }
}
