using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Onnx
{
    /// <summary>What one file of a model pack is for.</summary>
    public enum ModelPackRole
    {
        Detector,
        Recognizer,

        /// <summary>A model the module does not run (landmark, gender/age, face swapper, or unrecognised); skipped.</summary>
        Skipped,
    }

    /// <summary>One .onnx file of a pack and the role its input and output shapes gave it.</summary>
    public sealed class ModelPackEntry
    {
        internal ModelPackEntry(string path, ModelPackRole role, string reason)
        {
            Path = path;
            Role = role;
            Reason = reason;
        }

        public string Path { get; }

        public string FileName => System.IO.Path.GetFileName(Path);

        public ModelPackRole Role { get; }

        /// <summary>Why the file got its role, in words (for verbose output).</summary>
        public string Reason { get; }
    }

    /// <summary>
    /// A folder laid out like an InsightFace model pack (buffalo_l: det_10g.onnx, w600k_r50.onnx, 1k3d68.onnx,
    /// 2d106det.onnx, genderage.onnx). Each .onnx file (in name order, as InsightFace loads them) gets its role from
    /// its inputs and outputs as InsightFace's model router gives it: five or more outputs, or an Ultra-Light
    /// detector's scores and boxes, is a detector; a 192 x 192 input a landmark model and a 96 x 96 input an attribute
    /// model (both skipped); two inputs at 128 x 128 a face swapper (skipped); a square input of 112 or more, a
    /// multiple of 16, a recogniser. The first detector and recogniser are used; later ones are skipped.
    /// </summary>
    public sealed class ModelPack
    {
        private ModelPack(string folder, IReadOnlyList<ModelPackEntry> entries)
        {
            Folder = folder;
            Entries = entries;
            DetectorPath = entries.FirstOrDefault(e => e.Role == ModelPackRole.Detector)?.Path;
            RecognizerPath = entries.FirstOrDefault(e => e.Role == ModelPackRole.Recognizer)?.Path;
        }

        public string Folder { get; }

        /// <summary>Every .onnx file with its role, in name order.</summary>
        public IReadOnlyList<ModelPackEntry> Entries { get; }

        /// <summary>The pack's detector, or null when it has none.</summary>
        public string DetectorPath { get; }

        /// <summary>The pack's recogniser, or null when it has none.</summary>
        public string RecognizerPath { get; }

        /// <summary>
        /// Reads the roles of the .onnx files in <paramref name="folder"/>. Throws <see cref="ModelPackException"/>
        /// when the folder does not exist, <see cref="OnnxModelException"/> for a file ONNX Runtime cannot load and
        /// <see cref="OnnxRuntimeUnavailableException"/> when ONNX Runtime cannot be loaded.
        /// </summary>
        public static ModelPack Open(string folder)
        {
            if (string.IsNullOrEmpty(folder)) { throw new ArgumentNullException(nameof(folder)); }
            var full = System.IO.Path.GetFullPath(folder);
            if (!Directory.Exists(full)) { throw new ModelPackException($"The model pack folder '{full}' does not exist.", full, null); }
            var files = Directory.GetFiles(full, "*.onnx").OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal).ToList();
            var entries = new List<ModelPackEntry>();
            bool haveDetector = false, haveRecognizer = false;
            foreach (var file in files)
            {
                string reason;
                ModelPackRole role;
                try
                {
                    using (var model = OnnxModel.Open(file, OnnxModelRole.Recognizer, 1))
                    {
                        role = Classify(model, out reason);
                    }
                }
                catch (OnnxModelException ex) when (ex.Problem == OnnxModelProblem.Unreadable)
                {
                    role = ModelPackRole.Skipped;
                    reason = "ONNX Runtime cannot load it";
                }

                if (role == ModelPackRole.Detector && haveDetector) { role = ModelPackRole.Skipped; reason = "a second detector; the first one in name order is used"; }
                if (role == ModelPackRole.Recognizer && haveRecognizer) { role = ModelPackRole.Skipped; reason = "a second recogniser; the first one in name order is used"; }
                haveDetector |= role == ModelPackRole.Detector;
                haveRecognizer |= role == ModelPackRole.Recognizer;
                entries.Add(new ModelPackEntry(file, role, reason));
            }

            return new ModelPack(full, entries);
        }

        /// <summary>"det_10g.onnx: detector (...); w600k_r50.onnx: recogniser (...); genderage.onnx: skipped (...)".</summary>
        public string Describe() =>
            string.Join("; ", Entries.Select(e => e.FileName + ": " + RoleName(e.Role) + " (" + e.Reason + ")"));

        /// <summary>The detector/recogniser roles for the store's provenance: "pack buffalo_l: detector det_10g.onnx, recogniser w600k_r50.onnx".</summary>
        public string Provenance() =>
            "pack " + System.IO.Path.GetFileName(Folder.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar)) +
            ": detector " + (DetectorPath == null ? "none" : System.IO.Path.GetFileName(DetectorPath)) +
            ", recogniser " + (RecognizerPath == null ? "none" : System.IO.Path.GetFileName(RecognizerPath));

        public static string RoleName(ModelPackRole role)
        {
            switch (role)
            {
                case ModelPackRole.Detector: return "detector";
                case ModelPackRole.Recognizer: return "recogniser";
                default: return "skipped";
            }
        }

        private static ModelPackRole Classify(OnnxModel model, out string reason)
        {
            var input = model.Inputs.Count > 0 ? model.Inputs[0] : null;
            long h = input != null && input.Rank == 4 ? input.Dim(2) : -1;
            long w = input != null && input.Rank == 4 ? input.Dim(3) : -1;
            var shape = input == null ? "no input" : input.ToString();
            if (model.Outputs.Count >= 5 || (model.Outputs.Count == 2 && DetectorLayout.UltraLightOutputs(model, out _, out _)))
            {
                reason = $"{model.Outputs.Count} outputs, input {shape}";
                return ModelPackRole.Detector;
            }

            if (h == 192 && w == 192) { reason = "a 192x192 input: a landmark model; the detector gives the five keypoints"; return ModelPackRole.Skipped; }
            if (h == 96 && w == 96) { reason = "a 96x96 input: an attribute (gender/age) model, not used for embeddings"; return ModelPackRole.Skipped; }
            if (model.Inputs.Count == 2 && h == 128 && w == 128) { reason = "two inputs at 128x128: a face swapper"; return ModelPackRole.Skipped; }
            if (h > 0 && h == w && h >= 112 && h % 16 == 0 && model.Outputs.Count == 1)
            {
                reason = $"a square {h}x{w} input and one output {model.Outputs[0]}";
                return ModelPackRole.Recognizer;
            }

            reason = $"a shape no InsightFace role has: {model.DescribeSignature()}";
            return ModelPackRole.Skipped;
        }
    }
}
