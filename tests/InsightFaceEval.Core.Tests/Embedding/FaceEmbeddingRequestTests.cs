using System;
using System.IO;
using System.Security;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    /// <summary>Issue 13: Get-FaceEmbedding's input preparation and the endpoint secret, in Core.</summary>
    public sealed class FaceEmbeddingRequestTests
    {
        private static readonly string Root = Path.Combine(Path.GetTempPath(), "ife-request");

        private static string P(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

        [Fact]
        public void KeysComeFromTheInputThenTheDatasetRootThenTheParentFolder()
        {
            var request = new FaceEmbeddingRequest { StoreRoot = P("embeddings"), DatasetRoot = P("data") };
            Assert.Equal("alice/1.png", request.RelativeKey(P("data", "alice", "1.png"), 1, "alice\\1.png"));
            Assert.Equal("sub/bob/2.png", request.RelativeKey(P("data", "sub", "bob", "2.png"), 1, null));
            Assert.Equal("bob/2.png", request.RelativeKey(P("elsewhere", "bob", "2.png"), 1, null));

            // A carried key names one file: a wildcard that expanded to several cannot share it.
            Assert.Equal("sub/bob/2.png", request.RelativeKey(P("data", "sub", "bob", "2.png"), 3, "carol/9.png"));
        }

        [Fact]
        public void FilesInsideTheStoreAreSkippedAndIdentitiesComeFromTheInputOrTheFolder()
        {
            var request = new FaceEmbeddingRequest { StoreRoot = P("embeddings") };
            var skipped = request.Prepare(P("embeddings", "dingo", "x.png"), 1, null, null);
            Assert.Null(skipped.Item);
            Assert.Contains("inside the embedding store", skipped.SkipReason);

            var byFolder = request.Prepare(P("data", "alice", "1.png"), 1, null, null).Item;
            Assert.Equal("alice", byFolder.Identity);
            Assert.Equal("alice/1.png", byFolder.RelativePath);
            Assert.Equal("carol", request.Prepare(P("data", "alice", "1.png"), 1, null, "carol").Item.Identity);
        }

        [Fact]
        public void NormalisationTakesThePresetWithWhateverIsGivenReplacingIt()
        {
            Assert.Same(PixelNormalization.FacePlugin, new FaceEmbeddingRequest { NormalizationPreset = "FacePlugin" }.Normalization());
            var merged = new FaceEmbeddingRequest { NormalizationPreset = "faceplugin", InputStd = 64 }.Normalization();
            Assert.Equal(PixelNormalization.CustomPreset, merged.Name);
            Assert.Equal(127f, merged.Mean);
            Assert.Equal(64f, merged.Std);
            Assert.Equal(ChannelOrder.Rgb, merged.Order);
            Assert.Equal(ChannelOrder.Bgr, new FaceEmbeddingRequest { ChannelOrder = ChannelOrder.Bgr }.Normalization().Order);
            Assert.Null(new FaceEmbeddingRequest().Normalization()); // nothing given: the model's graph decides (InsightFace's rule)
        }

        [Fact]
        public void ModelNamesThrottleAndOptionsFollowTheKindOfRun()
        {
            var local = new FaceEmbeddingRequest { ModelPaths = new[] { P("m", "w600k_r50.onnx"), P("m", "fr_feature.onnx") }, ProcessorCount = 6, RequireOneFace = true };
            Assert.Equal(new[] { "w600k_r50", "fr_feature" }, local.StoredModelNames());
            Assert.Equal(6, local.EffectiveThrottleLimit);
            Assert.True(local.Options(local.StoredModelNames()).RequireOneFace);
            Assert.True(local.ModelNamesMatchModelPaths);
            local.Models = new[] { "a" };
            Assert.False(local.ModelNamesMatchModelPaths);

            var remote = new FaceEmbeddingRequest { Models = new[] { "dingo", "dingo", "eagle" }, RequireOneFace = true };
            Assert.Equal(4, remote.EffectiveThrottleLimit);
            var options = remote.Options(remote.StoredModelNames());
            Assert.Equal(new[] { "dingo", "eagle" }, options.Models);
            Assert.False(options.RequireOneFace);
            Assert.Null(remote.CheckModelNames());
        }

        [Fact]
        public void TheEndpointPrintsAsAPlaceholderAndScrubsItself()
        {
            const string url = "https://eval-7f3a.example.net/v1/s3cr3t-t0ken-4f9e/extract";
            var endpoint = EndpointAddress.FromText(" " + url + " ");
            Assert.True(endpoint.IsValid);
            Assert.Equal(EndpointAddress.Placeholder, endpoint.ToString());
            Assert.Equal(EndpointAddress.Placeholder, $"{endpoint}");
            Assert.DoesNotContain("s3cr3t", endpoint.Scrub("failed: " + url));
            Assert.Equal(url, endpoint.Reveal().OriginalString);

            var store = EmbeddingStore.OpenOrCreate(Path.Combine(Path.GetTempPath(), "ife-endpoint-" + Guid.NewGuid().ToString("N")));
            try
            {
                Assert.Equal(store.Fingerprint(url), endpoint.Fingerprint(store));
                Assert.DoesNotContain("s3cr3t", endpoint.Fingerprint(store));
            }
            finally
            {
                Directory.Delete(store.Root, true);
            }
        }

        [Fact]
        public void ASecureStringUrlIsTheSameEndpointAndABadOneIsRefusedWithoutEchoingIt()
        {
            const string url = "http://127.0.0.1:5055/v1/s3cr3t-t0ken-4f9e/extract";
            var secure = new SecureString();
            foreach (var c in url) { secure.AppendChar(c); }
            var endpoint = EndpointAddress.FromSecureString(secure);
            Assert.True(endpoint.IsValid);
            Assert.Equal(url, endpoint.Reveal().OriginalString);

            Assert.True(EndpointAddress.FromSecureString(new SecureString()).IsEmpty);
            var bad = EndpointAddress.FromText("ftp://s3cr3t-t0ken-4f9e/x");
            Assert.False(bad.IsValid);
            Assert.DoesNotContain("s3cr3t", bad.Problem);
            Assert.DoesNotContain("s3cr3t", bad.Scrub("ftp://s3cr3t-t0ken-4f9e/x"));
            Assert.Throws<InvalidOperationException>(() => bad.Reveal());
        }

        [Fact]
        public void TextThatMayHoldAUrlIsRecognised()
        {
            Assert.True(EndpointAddress.LooksLikeUrl("see https://host/x"));
            Assert.False(EndpointAddress.LooksLikeUrl("a1b2c3d4e5f60718"));
            Assert.False(EndpointAddress.LooksLikeUrl(null));
        }

        [Fact]
        public void TheProgressViewSaysWhatWasDoneAndWhatIsLeft()
        {
            var meter = new ExtractionProgressMeter(local: false);
            Assert.Null(meter.Update(new ExtractionProgress(0, 0, 0, 0, 0, 0, TimeSpan.FromSeconds(1), null, null)));
            var view = meter.Update(new ExtractionProgress(10, 4, 3, 1, 0, 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4.2), 2));
            Assert.Equal("4 of 10 extractions (3 uploaded, 1 from the store, 0 failed), 2.0/s", view.Status);
            Assert.Equal(40, view.PercentComplete);
            Assert.Equal(3, view.SecondsRemaining);
            Assert.Equal("Rate limited by the server: resuming in 5 s", view.CurrentOperation);
            Assert.Contains("embedded locally", new ExtractionProgressMeter(local: true).Update(new ExtractionProgress(1, 0, 0, 0, 0, 0, TimeSpan.FromSeconds(1), null, null)).Status);
        }
    }
}
