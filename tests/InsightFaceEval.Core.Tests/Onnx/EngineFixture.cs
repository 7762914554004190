using System;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;

namespace InsightFaceEval.Tests.Onnx
{
    /// <summary>One detector and one engine over the sample package's models, shared by a test class.</summary>
    public sealed class EngineFixture : IDisposable
    {
        public EngineFixture()
        {
            Detector = FaceDetector.Open(TestAssets.Detector, TestAssets.Landmark);
            Engine = LocalFaceEngine.Open(new LocalFaceEngineOptions
            {
                RecognizerPath = TestAssets.Recognizer,
                DetectorPath = TestAssets.Detector,
                LandmarkPath = TestAssets.Landmark,
                // The sample recogniser's own convention, read from the package's fr_feature.js.
                Normalization = PixelNormalization.FacePlugin,
            });
        }

        public FaceDetector Detector { get; }

        public LocalFaceEngine Engine { get; }

        public void Dispose()
        {
            Detector.Dispose();
            Engine.Dispose();
        }
    }
}
