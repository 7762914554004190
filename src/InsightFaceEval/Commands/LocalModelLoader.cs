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
            Imaging.FaceSelection selection = Imaging.FaceSelection.LargestCentered,
            int detectionSize = 640,
            string source = null)
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
                    Detector = new FaceDetectorOptions { DetectionSize = detectionSize },
                    Source = source,
                    // The extraction session already runs one image per worker; nested parallelism would only contend.
                    MaxDegreeOfParallelism = 1,
                });
            }

            LocalModelBackend backend = null;
            try
            {
                backend = LocalModelBackend.Open(options);
            }
            catch (Exception ex) when (OnnxProblems.TryFrom(ex, out var problem))
            {
                ProblemRecords.Report(cmdlet, problem.AsTerminating(), errorPrefix);
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

        /// <summary>
        /// The recogniser and detector of the InsightFace-style pack in <paramref name="folder"/>, by their shapes; writes
        /// which file plays which role. <paramref name="source"/> is that, for the store's provenance.
        /// </summary>
        public static void ResolvePack(PSCmdlet cmdlet, string errorPrefix, string folder, out string recognizerPath, out string detectorPath, out string source)
        {
            recognizerPath = detectorPath = source = null;
            try
            {
                var pack = ModelPack.Open(folder);
                cmdlet.WriteVerbose("Model pack '" + pack.Folder + "': " + pack.Describe() + ".");
                recognizerPath = pack.RecognizerPath ?? throw OnnxProblems.PackWithout(pack, ModelPackRole.Recognizer);
                detectorPath = pack.DetectorPath ?? throw OnnxProblems.PackWithout(pack, ModelPackRole.Detector);
                source = pack.Provenance();
            }
            catch (Exception ex) when (OnnxProblems.TryFrom(ex, out var problem))
            {
                ProblemRecords.Report(cmdlet, problem.AsTerminating().WithRecommendedAction("Check -ModelPack: a folder of .onnx files with a face detector and a recogniser."), errorPrefix);
            }
        }
    }
}
