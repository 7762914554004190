using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    public class LocalModelBackendTests : IClassFixture<EngineFixture>
    {
        private readonly EngineFixture _fixture;

        public LocalModelBackendTests(EngineFixture fixture)
        {
            _fixture = fixture;
        }

        private static LocalFaceEngineOptions Options(string name = null, PixelNormalization normalization = null) => new LocalFaceEngineOptions
        {
            RecognizerPath = TestAssets.Recognizer,
            ModelName = name,
            DetectorPath = TestAssets.Detector,
            LandmarkPath = TestAssets.Landmark,
            Normalization = normalization ?? PixelNormalization.FacePlugin,
            MaxDegreeOfParallelism = 1,
        };

        private byte[] FaceCrop()
        {
            using (var photo = Image.Load<Rgb24>(TestAssets.Photo(1)))
            {
                var face = _fixture.Detector.Detect(RgbImage.FromImage(photo))[0];
                using (var crop = LocalFaceEngineTests.Crop(photo, face, 0.2))
                {
                    return LocalFaceEngineTests.Png(crop);
                }
            }
        }

        private static EmbeddingRequest Request(string model, byte[] image) => new EmbeddingRequest(model, image, "x.png", "0");

        [AssetFact]
        public async Task Each_model_answers_under_its_own_name_with_the_engines_vector()
        {
            var crop = FaceCrop();
            using (var backend = LocalModelBackend.Open(new[] { Options("plain"), Options() }))
            {
                Assert.Equal(new[] { "plain", "fr_feature" }, backend.Engines.Select(e => e.ModelName));
                var plain = await backend.EmbedAsync(Request("plain", crop), CancellationToken.None);
                var byFileName = await backend.EmbedAsync(Request("fr_feature", crop), CancellationToken.None);

                Assert.Equal("plain", plain.ModelName);
                Assert.Equal("fr_feature", byFileName.ModelName);
                Assert.Equal(512, plain.Feature.Length);
                Assert.Equal(_fixture.Engine.Embed(new[] { crop }, CancellationToken.None)[0], plain.Feature);
                Assert.Equal(plain.Feature, byFileName.Feature);
                Assert.False(backend.ModelsNeedConfirmation);
            }
        }

        [AssetFact]
        public async Task A_crop_without_a_face_is_an_empty_feature_and_an_unknown_name_is_rejected()
        {
            byte[] blank;
            using (var image = new Image<Rgb24>(160, 160, new Rgb24(128, 128, 128)))
            using (var stream = new MemoryStream())
            {
                image.SaveAsPng(stream);
                blank = stream.ToArray();
            }

            using (var backend = LocalModelBackend.Open(new[] { Options("m") }))
            {
                var reply = await backend.EmbedAsync(Request("m", blank), CancellationToken.None);
                Assert.Empty(reply.Feature);

                var refused = await Assert.ThrowsAsync<EmbeddingBackendException>(() => backend.EmbedAsync(Request("other", blank), CancellationToken.None));
                Assert.Equal(BackendFailure.Rejected, refused.Failure);

                var damaged = await Assert.ThrowsAsync<EmbeddingBackendException>(() => backend.EmbedAsync(Request("m", blank.Take(100).ToArray()), CancellationToken.None));
                Assert.Equal(BackendFailure.ImageRejected, damaged.Failure);
            }
        }

        [AssetFact]
        public void The_identity_names_the_weights_and_the_preprocessing()
        {
            string first, again, otherNormalization;
            using (var backend = LocalModelBackend.Open(new[] { Options("m") })) { first = backend.EndpointIdentity; }
            using (var backend = LocalModelBackend.Open(new[] { Options("m") })) { again = backend.EndpointIdentity; }
            using (var backend = LocalModelBackend.Open(new[] { Options("m", PixelNormalization.InsightFace) })) { otherNormalization = backend.EndpointIdentity; }

            Assert.StartsWith("onnx:", first);
            Assert.Equal(first, again);
            Assert.NotEqual(first, otherNormalization);
            Assert.DoesNotContain(TestAssets.Recognizer, first);
        }

        [AssetFact]
        public void Two_models_under_one_name_are_refused_before_anything_opens()
        {
            var ex = Assert.Throws<ArgumentException>(() => LocalModelBackend.Open(new[] { Options(), Options() }));
            Assert.Contains("'fr_feature'", ex.Message);
        }

        [AssetFact]
        public void A_missing_second_model_fails_the_whole_open_naming_the_file()
        {
            var missing = Options("b");
            missing.RecognizerPath = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".onnx");
            var ex = Assert.Throws<OnnxModelException>(() => LocalModelBackend.Open(new[] { Options("a"), missing }));
            Assert.Equal(OnnxModelProblem.NotFound, ex.Problem);
            Assert.Equal(OnnxModelRole.Recognizer, ex.Role);
            Assert.Equal(missing.RecognizerPath, ex.ModelPath);
        }
    }
}
