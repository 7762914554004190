using System;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;

namespace InsightFaceEval.Tests.Onnx
{
    /// <summary>
    /// One detector and one engine over the sample package's models, shared by a test class. Opened on first use, so a
    /// class whose tests are skipped for missing assets (see <see cref="AssetFactAttribute"/>) never opens them.
    /// </summary>
    public sealed class EngineFixture : IDisposable
    {
        private readonly Lazy<FaceDetector> _detector = new Lazy<FaceDetector>(() => FaceDetector.Open(TestAssets.Detector, TestAssets.Landmark));
        private readonly Lazy<LocalFaceEngine> _engine = new Lazy<LocalFaceEngine>(() => LocalFaceEngine.Open(new LocalFaceEngineOptions
            {
                RecognizerPath = TestAssets.Recognizer,
                DetectorPath = TestAssets.Detector,
                LandmarkPath = TestAssets.Landmark,
                // The sample recogniser's own convention, read from the package's fr_feature.js.
                Normalization = PixelNormalization.FacePlugin,
            }));

        public FaceDetector Detector => _detector.Value;

        public LocalFaceEngine Engine => _engine.Value;

        public void Dispose()
        {
            if (_detector.IsValueCreated) { _detector.Value.Dispose(); }
            if (_engine.IsValueCreated) { _engine.Value.Dispose(); }
        }
    }
}
