using System;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The sample model and photos build.ps1 fetches into the repository's .cache folder
    /// (Get-TestAssets; the Test task builds, and building fetches them).
    /// </summary>
    internal static class TestAssets
    {
        private static readonly Lazy<string> Root = new Lazy<string>(FindRoot);

        public static string AssetDirectory => Path.Combine(Root.Value, ".cache", "assets");

        /// <summary>The repository root (the folder with build.ps1).</summary>
        public static string RepositoryRoot => Root.Value;

        public static string Detector => Require(Path.Combine(AssetDirectory, "faceplugin", "model", "fr_detect.onnx"));

        public static string Landmark => Require(Path.Combine(AssetDirectory, "faceplugin", "model", "fr_landmark.onnx"));

        public static string Recognizer => Require(Path.Combine(AssetDirectory, "faceplugin", "model", "fr_feature.onnx"));

        public static string Photo(int n) => Require(Path.Combine(AssetDirectory, "face-api", "demo", $"sample{n}.jpg"));

        private static string Require(string path)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"Test asset '{path}' is missing. Run 'dotnet pwsh ./build.ps1 -Task Fetch' (the Test task fetches it too).", path);
            }

            return path;
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "build.ps1")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The repository root (with build.ps1) is not above " + AppContext.BaseDirectory);
        }
    }
}
