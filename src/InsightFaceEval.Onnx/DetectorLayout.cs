using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace InsightFaceEval.Onnx
{
    /// <summary>The detector families the module decodes.</summary>
    public enum DetectorFamily
    {
        /// <summary>Ultra-Light-style: outputs 'scores' [1,N,2] and 'boxes' [1,N,4] (the faceplugin sample detector).</summary>
        UltraLight,

        /// <summary>SCRFD: 6 or 9 outputs, strides 8/16/32, two anchors per position (buffalo_l's det_10g.onnx).</summary>
        Scrfd,

        /// <summary>InsightFace's RetinaFace export: 10 or 15 outputs, strides 8/16/32/64/128, one anchor per position.</summary>
        RetinaFace,
    }

    /// <summary>
    /// How a detector model's outputs are laid out, recognised from its inputs and outputs the way InsightFace's model
    /// router and its SCRFD/RetinaFace decoders do: per stride a score [N,1], box distances [N,4] and, when present,
    /// keypoint offsets [N,10], in that group order (scores of every stride, then boxes, then keypoints), each with or
    /// without a leading batch dimension of 1.
    /// </summary>
    internal sealed class DetectorLayout
    {
        private static readonly int[] ThreeStrides = { 8, 16, 32 };
        private static readonly int[] FiveStrides = { 8, 16, 32, 64, 128 };

        private DetectorLayout(DetectorFamily family, TensorSignature input, int[] strides, bool keypoints, bool batched, IReadOnlyList<string> outputNames)
        {
            Family = family;
            InputName = input.Name;
            InputHeight = input.Rank == 4 && input.Dim(2) > 0 ? (int)input.Dim(2) : 0;
            InputWidth = input.Rank == 4 && input.Dim(3) > 0 ? (int)input.Dim(3) : 0;
            Strides = strides;
            HasKeypoints = keypoints;
            Batched = batched;
            OutputNames = outputNames;
        }

        public DetectorFamily Family { get; }

        public string InputName { get; }

        /// <summary>The input height the model fixes, or 0 when it is free.</summary>
        public int InputHeight { get; }

        /// <summary>The input width the model fixes, or 0 when it is free.</summary>
        public int InputWidth { get; }

        /// <summary>Feature strides, smallest first (empty for Ultra-Light).</summary>
        public int[] Strides { get; }

        /// <summary>True when the detector gives the five keypoints itself.</summary>
        public bool HasKeypoints { get; }

        /// <summary>True when the outputs have a leading batch dimension.</summary>
        public bool Batched { get; }

        /// <summary>Output names in decoding order: scores per stride, boxes per stride, keypoints per stride.</summary>
        public IReadOnlyList<string> OutputNames { get; }

        /// <summary>"SCRFD (9 outputs, strides 8/16/32, keypoints, batched)" for verbose messages.</summary>
        public string Describe()
        {
            if (Family == DetectorFamily.UltraLight) { return "Ultra-Light (scores, boxes; landmarks from the landmark model)"; }
            return string.Format(
                CultureInfo.InvariantCulture,
                "{0} ({1} outputs, strides {2}, {3}, {4})",
                Family == DetectorFamily.Scrfd ? "SCRFD" : "RetinaFace",
                OutputNames.Count,
                string.Join("/", Strides),
                HasKeypoints ? "five keypoints from the detector" : "no keypoints: landmarks from the landmark model",
                Batched ? "batched" : "unbatched");
        }

        /// <summary>
        /// The layout of <paramref name="model"/>, or an <see cref="OnnxModelException"/> (<see cref="OnnxModelProblem.UnknownLayout"/>)
        /// that lists the layouts the module knows and what the model has.
        /// </summary>
        public static DetectorLayout Recognise(OnnxModel model)
        {
            var input = model.Inputs.Count == 1 ? model.Inputs[0] : null;
            var inputFits = input != null && input.IsFloat && input.Rank == 4 && (input.Dim(0) == 1 || input.Dim(0) < 0) && (input.Dim(1) == 3 || input.Dim(1) < 0);
            var outputs = model.Outputs;
            if (inputFits && outputs.Count >= 5)
            {
                // InsightFace's router sends every model with five or more outputs to its SCRFD/RetinaFace decoder.
                var layout = Anchored(model, input);
                if (layout != null) { return layout; }
            }
            else if (inputFits && UltraLightOutputs(model, out _, out _))
            {
                return new DetectorLayout(DetectorFamily.UltraLight, input, new int[0], false, true, new string[0]);
            }

            throw new OnnxModelException(
                $"The face detector model '{model.FileName}' has a layout the module does not know. It reads one float input [1,3,H,W] and " +
                "either outputs 'scores' [1,N,2] and 'boxes' [1,N,4] (Ultra-Light), or 6 or 9 outputs (SCRFD: a score [N,1], box [N,4] and " +
                "keypoints [N,10] per stride 8/16/32) or 10 or 15 outputs (RetinaFace: the same per stride 8/16/32/64/128), with or without a " +
                $"leading batch dimension; found {model.DescribeSignature()}.",
                model.Path, OnnxModelRole.Detector, OnnxModelProblem.UnknownLayout);
        }

        internal static bool UltraLightOutputs(OnnxModel model, out TensorSignature scores, out TensorSignature boxes)
        {
            var outputs = model.Outputs;
            scores = outputs.FirstOrDefault(o => o.IsFloat && o.Rank == 3 && o.Dim(2) == 2 && (o.Name == "scores" || outputs.Count(p => p.Rank == 3 && p.Dim(2) == 2) == 1));
            boxes = outputs.FirstOrDefault(o => o.IsFloat && o.Rank == 3 && o.Dim(2) == 4 && (o.Name == "boxes" || outputs.Count(p => p.Rank == 3 && p.Dim(2) == 4) == 1));
            return scores != null && boxes != null;
        }

        private static DetectorLayout Anchored(OnnxModel model, TensorSignature input)
        {
            var outputs = model.Outputs;
            int[] strides;
            DetectorFamily family;
            switch (outputs.Count)
            {
                case 6:
                case 9:
                    strides = ThreeStrides; family = DetectorFamily.Scrfd; break;
                case 10:
                case 15:
                    strides = FiveStrides; family = DetectorFamily.RetinaFace; break;
                default:
                    return null;
            }

            var keypoints = outputs.Count == 9 || outputs.Count == 15;
            var rank = outputs[0].Rank;
            if (rank != 2 && rank != 3) { return null; }
            foreach (var o in outputs)
            {
                if (!o.IsFloat || o.Rank != rank) { return null; }
                if (rank == 3 && o.Dim(0) > 1) { return null; }
            }

            // Scores, boxes and keypoints by their last dimension where the model declares it; InsightFace's own
            // order (scores of every stride, then boxes, then keypoints) where it leaves it free.
            var fmc = strides.Length;
            var ordered = new List<string>();
            var widths = keypoints ? new[] { 1, 4, 10 } : new[] { 1, 4 };
            var allDeclared = outputs.All(o => o.Dim(rank - 1) > 0);
            for (var g = 0; g < widths.Length; g++)
            {
                var group = allDeclared
                    ? outputs.Where(o => o.Dim(rank - 1) == widths[g]).ToList()
                    : outputs.Skip(g * fmc).Take(fmc).ToList();
                if (group.Count != fmc) { return null; }
                if (group.Any(o => o.Dim(rank - 1) > 0 && o.Dim(rank - 1) != widths[g])) { return null; }
                // Within a group, the largest (stride 8) first when the row counts are known.
                if (group.All(o => o.Dim(rank - 2) > 0)) { group = group.OrderByDescending(o => o.Dim(rank - 2)).ToList(); }
                ordered.AddRange(group.Select(o => o.Name));
            }

            return new DetectorLayout(family, input, strides, keypoints, rank == 3, ordered);
        }
    }
}
