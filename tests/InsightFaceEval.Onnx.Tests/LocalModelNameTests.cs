using System;
using InsightFaceEval.Onnx;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    /// <summary>Local model names under Windows rules (without case) and Linux/macOS rules (with case).</summary>
    public class LocalModelNameTests
    {
        [Fact]
        public void LocalModelsWhoseNamesDifferOnlyInCaseAreRefusedOnWindows()
        {
            var error = Assert.Throws<ArgumentException>(() => LocalModelBackend.CheckNames(new[] { "w600k_r50", "W600K_R50" }, PathStyle.Windows.Comparer));
            Assert.Contains("differ only in case", error.Message);
            LocalModelBackend.CheckNames(new[] { "w600k_r50", "W600K_R50" }, PathStyle.Unix.Comparer);
            Assert.Throws<ArgumentException>(() => LocalModelBackend.CheckNames(new[] { "a", "a" }, PathStyle.Unix.Comparer));
        }
    }
}
