using System;
using System.Linq;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    /// <summary>The model-change canary's comparison (Test-FaceEmbeddingDrift, nightly.ps1 -CanaryCount).</summary>
    public class EmbeddingDriftTests
    {
        private static FaceEmbedding E(string model, string relative, float[] vector, EmbeddingStatus status = EmbeddingStatus.Success) =>
            new FaceEmbedding("/data/" + relative, relative, "id", model, vector, status, null, "sha", TimeSpan.Zero, status == EmbeddingStatus.Success);

        private static float[] V(params float[] v) => v;

        [Fact]
        public void TheSameVectorIsUnchangedAndAScaledOneToo()
        {
            var check = new EmbeddingDriftCheck();
            Assert.Null(check.AddReference(E("dingo", "a/1.png", V(1, 2, 3))));
            Assert.Null(check.AddReference(E("dingo", "a/2.png", V(0, 1, 0))));
            check.AddFresh(E("dingo", "a/1.png", V(1, 2, 3)));
            check.AddFresh(E("dingo", "a/2.png", V(0, 5, 0)));
            var results = check.Results();
            Assert.All(results, r => Assert.False(r.Changed));
            Assert.Equal(1.0, results[0].Cosine.Value, 12);
            Assert.Equal(new[] { "a/1.png", "a/2.png" }, results.Select(r => r.RelativePath).ToArray());
        }

        [Fact]
        public void ACosineBelowTheMinimumIsAChange()
        {
            var check = new EmbeddingDriftCheck(0.9999);
            check.AddReference(E("dingo", "a/1.png", V(1, 0)));
            check.AddFresh(E("dingo", "a/1.png", V(1, 0.02f)));
            var r = Assert.Single(check.Results());
            Assert.True(r.Changed);
            Assert.InRange(r.Cosine.Value, 0.9997, 0.9999);
            Assert.Contains("below 0.9999", r.Reason);
        }

        [Fact]
        public void AnotherLengthNoFaceOrNoFreshVectorIsAChangeWithoutACosine()
        {
            var check = new EmbeddingDriftCheck();
            check.AddReference(E("dingo", "a/1.png", V(1, 0, 0)));
            check.AddReference(E("dingo", "a/2.png", V(1, 0, 0)));
            check.AddReference(E("dingo", "a/3.png", V(1, 0, 0)));
            check.AddFresh(E("dingo", "a/1.png", V(1, 0)));
            check.AddFresh(E("dingo", "a/2.png", Array.Empty<float>(), EmbeddingStatus.NoFace));
            var results = check.Results();
            Assert.All(results, r => Assert.True(r.Changed));
            Assert.All(results, r => Assert.Null(r.Cosine));
            Assert.Equal(2, results[0].Dimension);
            Assert.Contains("from 3 to 2", results[0].Reason);
            Assert.Contains("NoFace", results[1].Reason);
            Assert.Equal("no fresh embedding of this image", results[2].Reason);
        }

        [Fact]
        public void MatchesByModelAndImage()
        {
            var check = new EmbeddingDriftCheck();
            check.AddReference(E("dingo", "a/1.png", V(1, 0)));
            Assert.False(check.AddFresh(E("eagle", "a/1.png", V(1, 0))));
            Assert.False(check.AddFresh(E("dingo", "a/9.png", V(1, 0))));
            Assert.True(Assert.Single(check.Results()).Changed);
        }

        [Fact]
        public void AReferenceWithoutAVectorOrGivenTwiceIsAProblemAndLeftOut()
        {
            var check = new EmbeddingDriftCheck();
            var noFace = E("dingo", "a/0.png", Array.Empty<float>(), EmbeddingStatus.NoFace);
            var problem = check.AddReference(noFace);
            Assert.Equal("NoReferenceVector", problem.Id);
            Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
            Assert.Same(noFace, problem.Target);
            Assert.Null(check.AddReference(E("dingo", "a/1.png", V(1, 0))));
            Assert.Equal("DuplicateReference", check.AddReference(E("dingo", "a/1.png", V(0, 1))).Id);
            Assert.Equal(1, check.ReferenceCount);
        }

        [Theory]
        [InlineData(1.5)]
        [InlineData(-2)]
        [InlineData(double.NaN)]
        public void RefusesAMinimumOutsideTheCosineRange(double minimum) =>
            Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingDriftCheck(minimum));
    }
}
