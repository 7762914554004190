using System.IO;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// The detector and landmark models the build stages into the module's models folder, used when no
    /// other detector is named. Both come from the npm package faceplugin-face-recognition-js@0.0.1
    /// (model/fr_detect.onnx and model/fr_landmark.onnx), MIT License, Copyright (c) 2021 gitguanqi;
    /// the licence text ships beside them.
    /// </summary>
    public static class DefaultModels
    {
        public const string DetectorFileName = "fr_detect.onnx";

        public const string LandmarkFileName = "fr_landmark.onnx";

        /// <summary>Where the defaults come from, for help and verbose messages.</summary>
        public const string Source = "faceplugin-face-recognition-js@0.0.1 (npm), MIT License, Copyright (c) 2021 gitguanqi";

        /// <summary>The module's models folder.</summary>
        public static string Directory =>
            Path.Combine(Path.GetDirectoryName(typeof(DefaultModels).Assembly.Location), "models");

        public static string DetectorPath => Path.Combine(Directory, DetectorFileName);

        public static string LandmarkPath => Path.Combine(Directory, LandmarkFileName);

        /// <summary><paramref name="path"/>, or the default detector when it is empty; checks that the default is there.</summary>
        public static string DetectorOr(string path) => Resolve(path, DetectorPath, OnnxModelRole.Detector);

        /// <summary><paramref name="path"/>, or the default landmark model when it is empty; checks that the default is there.</summary>
        public static string LandmarkOr(string path) => Resolve(path, LandmarkPath, OnnxModelRole.Landmark);

        private static string Resolve(string path, string fallback, OnnxModelRole role)
        {
            if (!string.IsNullOrEmpty(path)) { return path; }
            if (!File.Exists(fallback))
            {
                throw new OnnxModelException(
                    $"The module's default {OnnxModel.Describe(role)} model is missing: expected '{fallback}'. " +
                    "Build the module with build.ps1 (it stages the defaults) or name a model explicitly.",
                    fallback, role, OnnxModelProblem.NotFound);
            }

            return fallback;
        }
    }
}
