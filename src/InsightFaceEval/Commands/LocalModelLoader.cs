using System;
using System.Collections.Generic;
using System.Management.Automation;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Opens local ONNX models for a cmdlet and turns what can go wrong into terminating error records. Kept apart
    /// from the cmdlets so that only a local-model run makes the JIT touch InsightFaceEval.Onnx and ONNX Runtime.
    /// </summary>
    internal static class LocalModelLoader
    {
        /// <summary>
        /// One engine per recogniser in <paramref name="recognizerPaths"/>, named by <paramref name="names"/>; a null
        /// detector or landmark path means the module's default. Writes one verbose line per model.
        /// </summary>
        public static IEmbeddingBackend Open(
            PSCmdlet cmdlet,
            string errorPrefix,
            IReadOnlyList<string> recognizerPaths,
            IReadOnlyList<string> names,
            string detectorPath,
            string landmarkPath,
            PixelNormalization normalization,
            Imaging.FaceSelection selection = Imaging.FaceSelection.LargestCentered)
        {
            var options = new List<LocalFaceEngineOptions>();
            for (var i = 0; i < recognizerPaths.Count; i++)
            {
                options.Add(new LocalFaceEngineOptions
                {
                    RecognizerPath = recognizerPaths[i],
                    ModelName = names[i],
                    DetectorPath = detectorPath,
                    LandmarkPath = landmarkPath,
                    Normalization = normalization,
                    Selection = selection,
                    // The extraction session already runs one image per worker; nested parallelism would only contend.
                    MaxDegreeOfParallelism = 1,
                });
            }

            LocalModelBackend backend = null;
            try
            {
                backend = LocalModelBackend.Open(options);
            }
            catch (OnnxModelException ex)
            {
                cmdlet.ThrowTerminatingError(ModelError(ex, errorPrefix));
            }
            catch (OnnxRuntimeUnavailableException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorPrefix + "OnnxRuntimeUnavailable", ErrorCategory.NotInstalled, ex.ExpectedPath));
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorPrefix + "DuplicateModelName", ErrorCategory.InvalidArgument, names));
            }

            foreach (var engine in backend.Engines)
            {
                cmdlet.WriteVerbose(LocalModelBackend.Describe(engine));
            }

            return backend;
        }

        /// <summary>ErrorId by the model's role and problem: ModelNotFound, DetectorMismatch, LandmarkModelUnreadable...</summary>
        private static ErrorRecord ModelError(OnnxModelException ex, string errorPrefix)
        {
            string what;
            switch (ex.Role)
            {
                case OnnxModelRole.Detector: what = "Detector"; break;
                case OnnxModelRole.Landmark: what = "LandmarkModel"; break;
                default: what = "Model"; break;
            }

            switch (ex.Problem)
            {
                case OnnxModelProblem.NotFound:
                    return new ErrorRecord(ex, errorPrefix + what + "NotFound", ErrorCategory.ObjectNotFound, ex.ModelPath);
                case OnnxModelProblem.Unreadable:
                    return new ErrorRecord(ex, errorPrefix + what + "Unreadable", ErrorCategory.InvalidData, ex.ModelPath);
                default:
                    return new ErrorRecord(ex, errorPrefix + what + "Mismatch", ErrorCategory.InvalidData, ex.ModelPath);
            }
        }
    }
}
