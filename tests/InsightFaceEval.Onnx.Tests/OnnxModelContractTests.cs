using System;
using System.Linq;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    public class OnnxModelContractTests
    {
        [Fact]
        public void BatchesOfAFreeBatchModelKeepEachFaceInItsPlace()
        {
            // faces [N,3,112,112] -> GlobalAveragePool -> Flatten -> [N,3]: each output is its input's channel means.
            var path = TinyOnnx.Save(TinyOnnx.Chain(
                new TinyOnnx.Tensor("faces", null, 3, 112, 112),
                new TinyOnnx.Tensor("embedding", null, 3),
                "GlobalAveragePool", "Flatten"), "channel-means.onnx");
            using (var recognizer = FaceRecognizer.Open(path, new FaceRecognizerOptions { MaxBatchSize = 4 }))
            {
                Assert.Equal(4, recognizer.MaxBatchSize);
                Assert.Equal("faces", recognizer.InputName);
                const int plane = 112 * 112;
                // Ten faces, three calls (4 + 4 + 2); face k has channels (1, k, k*k) so every face points elsewhere.
                var inputs = Enumerable.Range(0, 10).Select(k =>
                {
                    var t = new float[3 * plane];
                    for (var i = 0; i < plane; i++) { t[i] = 1; t[plane + i] = k; t[(2 * plane) + i] = k * k; }
                    return t;
                }).ToList();

                var vectors = recognizer.EmbedPreprocessed(inputs, CancellationToken.None);

                for (var k = 0; k < 10; k++)
                {
                    var norm = Math.Sqrt(1 + (k * k) + (k * k * k * k));
                    Assert.Equal(1 / norm, vectors[k][0], 5);
                    Assert.Equal(k / norm, vectors[k][1], 5);
                    Assert.Equal(k * k / norm, vectors[k][2], 5);
                }
            }
        }

        [Fact]
        public void ARecogniserWithoutAnImageInputIsRefusedNamingWhatWasExpected()
        {
            var path = TinyOnnx.Save(TinyOnnx.Chain(new TinyOnnx.Tensor("x", null, 10), new TinyOnnx.Tensor("y", null, 10), "Identity"), "vector-in.onnx");
            var ex = Assert.Throws<OnnxModelException>(() => FaceRecognizer.Open(path));
            Assert.Equal(OnnxModelProblem.ContractMismatch, ex.Problem);
            Assert.Equal(OnnxModelRole.Recognizer, ex.Role);
            Assert.Contains("Expected one float input [N,3,S,S]", ex.Message);
            Assert.Contains("'x' float[?,10]", ex.Message);
        }

        [AssetFact]
        public void SwappedModelsAreRefused()
        {
            var asRecognizer = Assert.Throws<OnnxModelException>(() => FaceRecognizer.Open(TestAssets.Detector));
            Assert.Contains("'input' float[1,3,240,320]", asRecognizer.Message);

            var asDetector = Assert.Throws<OnnxModelException>(() => FaceDetector.Open(TestAssets.Recognizer, TestAssets.Landmark));
            Assert.Equal(OnnxModelRole.Detector, asDetector.Role);
            Assert.Contains("'scores' [1,N,2]", asDetector.Message);
            Assert.Contains("'output' float[1,512]", asDetector.Message);

            var asLandmarks = Assert.Throws<OnnxModelException>(() => FaceDetector.Open(TestAssets.Detector, TestAssets.Recognizer));
            Assert.Equal(OnnxModelRole.Landmark, asLandmarks.Role);
        }

        [AssetFact]
        public void AFileThatIsNotAModelOrIsMissingIsSaidSo()
        {
            var unreadable = Assert.Throws<OnnxModelException>(() => FaceRecognizer.Open(TestAssets.Photo(1)));
            Assert.Equal(OnnxModelProblem.Unreadable, unreadable.Problem);
            Assert.Contains("sample1.jpg", unreadable.Message);

            var missing = Assert.Throws<OnnxModelException>(() => FaceRecognizer.Open(TestAssets.Photo(1) + ".missing.onnx"));
            Assert.Equal(OnnxModelProblem.NotFound, missing.Problem);
        }

        [AssetFact]
        public void TheNativeLibraryComesFromTheRuntimesFolderForThisSystem()
        {
            using (FaceRecognizer.Open(TestAssets.Recognizer, new FaceRecognizerOptions { Normalization = PixelNormalization.FacePlugin }))
            {
                var expected = OnnxRuntimeLoader.ExpectedPath(AppContext.BaseDirectory);
                Assert.EndsWith(System.IO.Path.Combine("runtimes", OnnxRuntimeLoader.RuntimeIdentifier, "native", OnnxRuntimeLoader.NativeFileName), expected);
                Assert.Equal(System.IO.Path.GetFullPath(expected), System.IO.Path.GetFullPath(OnnxRuntimeLoader.LoadedFrom));
            }
        }
    }
}
