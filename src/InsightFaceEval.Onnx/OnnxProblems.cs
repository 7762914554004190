using System;
using System.Linq;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// The one conversion of what can go wrong when local models are opened into the module's <see cref="Problem"/>:
    /// ErrorId suffix by the model's role and the problem (DetectorNotFound, ModelUnreadable, LandmarkModelMismatch,
    /// DetectorUnknownLayout, ModelPackNoDetector, OnnxRuntimeUnavailable, InvalidDetectionSize), the model file as
    /// the target. Every cmdlet that opens ONNX models reports through it.
    /// </summary>
    public static class OnnxProblems
    {
        /// <summary>True, with the problem, for the exceptions opening local models throws; false for any other.</summary>
        public static bool TryFrom(Exception exception, out Problem problem)
        {
            switch (exception)
            {
                case OnnxModelException model:
                    problem = From(model);
                    return true;
                case OnnxRuntimeUnavailableException runtime:
                    problem = new Problem("OnnxRuntimeUnavailable", ProblemCategory.NotInstalled, runtime, runtime.ExpectedPath);
                    return true;
                case ModelPackException pack:
                    var id = pack.MissingRole == null ? "ModelPackNotFound" : pack.MissingRole == ModelPackRole.Detector ? "ModelPackNoDetector" : "ModelPackNoRecognizer";
                    problem = new Problem(id, ProblemCategory.ObjectNotFound, pack, pack.Folder);
                    return true;
                case ArgumentOutOfRangeException range when string.Equals(range.ParamName, "detectionSize", StringComparison.OrdinalIgnoreCase):
                    problem = new Problem("InvalidDetectionSize", ProblemCategory.InvalidArgument, range, null);
                    return true;
                default:
                    problem = null;
                    return false;
            }
        }

        /// <summary>ErrorId by the model's role (Detector, LandmarkModel, Model) and problem (NotFound, Unreadable, Mismatch, UnknownLayout).</summary>
        public static Problem From(OnnxModelException exception)
        {
            if (exception == null) { throw new ArgumentNullException(nameof(exception)); }
            string what;
            switch (exception.Role)
            {
                case OnnxModelRole.Detector: what = "Detector"; break;
                case OnnxModelRole.Landmark: what = "LandmarkModel"; break;
                default: what = "Model"; break;
            }

            switch (exception.Problem)
            {
                case OnnxModelProblem.NotFound:
                    return new Problem(what + "NotFound", ProblemCategory.ObjectNotFound, exception, exception.ModelPath);
                case OnnxModelProblem.Unreadable:
                    return new Problem(what + "Unreadable", ProblemCategory.InvalidData, exception, exception.ModelPath);
                case OnnxModelProblem.UnknownLayout:
                    return new Problem(what + "UnknownLayout", ProblemCategory.InvalidData, exception, exception.ModelPath);
                default:
                    return new Problem(what + "Mismatch", ProblemCategory.InvalidData, exception, exception.ModelPath);
            }
        }

        /// <summary>The exception for a pack that has no model for <paramref name="role"/>, listing what each file is.</summary>
        public static ModelPackException PackWithout(ModelPack pack, ModelPackRole role)
        {
            if (pack == null) { throw new ArgumentNullException(nameof(pack)); }
            var found = pack.Entries.Count == 0 ? "it holds no .onnx file" : "found " + pack.Describe();
            return new ModelPackException(
                $"The model pack '{pack.Folder}' has no {ModelPack.RoleName(role)} (a model whose inputs and outputs fit that role); {found}.",
                pack.Folder, role);
        }
    }
}
