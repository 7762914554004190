using System;
using System.IO;
using System.Linq;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The sample model and photos build.ps1 fetches into the repository's .cache folder
    /// (Get-TestAssets; the Test task builds, and building fetches them).
    /// </summary>
    internal static class TestAssets
    {
        public static string AssetDirectory => Path.Combine(TestRepository.RootDirectory, ".cache", "assets");

        public static string Detector => Path.Combine(AssetDirectory, "faceplugin", "model", "fr_detect.onnx");

        public static string Landmark => Path.Combine(AssetDirectory, "faceplugin", "model", "fr_landmark.onnx");

        public static string Recognizer => Path.Combine(AssetDirectory, "faceplugin", "model", "fr_feature.onnx");

        public static string Photo(int n) => Path.Combine(AssetDirectory, "face-api", "demo", $"sample{n}.jpg");

        /// <summary>Why tests that need the sample assets cannot run here, or null when every asset is present.</summary>
        public static string MissingReason
        {
            get
            {
                var needed = new[] { Detector, Landmark, Recognizer }.Concat(Enumerable.Range(1, 6).Select(Photo));
                var missing = needed.Where(p => !File.Exists(p)).ToList();
                return missing.Count == 0
                    ? null
                    : $"Sample model/photos not fetched ({missing.Count} missing, e.g. '{missing[0]}'): run 'dotnet pwsh ./build.ps1 -Task Fetch' (the Test task fetches them).";
            }
        }
    }

    /// <summary>A fact that needs the fetched sample assets: it is reported as skipped, with the reason, where they are missing.</summary>
    public sealed class AssetFactAttribute : FactAttribute
    {
        public AssetFactAttribute()
        {
            Skip = TestAssets.MissingReason;
        }
    }

    /// <summary>A theory that needs the fetched sample assets: it is reported as skipped, with the reason, where they are missing.</summary>
    public sealed class AssetTheoryAttribute : TheoryAttribute
    {
        public AssetTheoryAttribute()
        {
            Skip = TestAssets.MissingReason;
        }
    }
}
