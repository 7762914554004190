using System.Collections.Generic;
using System.Threading;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// Ultra-Light-style decoding (the faceplugin sample): input float[1,3,H,W] RGB (x - 127) / 128, the image
    /// letterboxed into the centre; outputs 'scores' [1,N,2] softmaxed background/face and 'boxes' [1,N,4] corners
    /// normalised to the input.
    /// </summary>
    internal sealed class UltraLightDetectorHead : IDetectorHead
    {
        private readonly OnnxModel _model;
        private readonly string[] _outputs;

        public UltraLightDetectorHead(OnnxModel model, DetectorLayout layout)
        {
            _model = model;
            Layout = layout;
            DetectorLayout.UltraLightOutputs(model, out var scores, out var boxes);
            _outputs = new[] { scores.Name, boxes.Name };
            // A model exported with free spatial dimensions runs at the faceplugin model's 320 x 240.
            InputHeight = layout.InputHeight > 0 ? layout.InputHeight : 240;
            InputWidth = layout.InputWidth > 0 ? layout.InputWidth : 320;
        }

        public DetectorLayout Layout { get; }

        public int InputWidth { get; }

        public int InputHeight { get; }

        /// <summary>The faceplugin package's own threshold.</summary>
        public float DefaultThreshold => 0.65f;

        public List<FaceDetection> Candidates(RgbImage image, float threshold, CancellationToken cancellationToken)
        {
            // Letterbox (keep the aspect ratio, pad with the value that normalises to 0) rather than stretch
            // as the faceplugin demo does: a portrait face crop stretched to 4:3 is often missed.
            var scaled = image.ResizeToFit(InputWidth, InputHeight, out var factor);
            var offsetX = (InputWidth - scaled.Width) / 2;
            var offsetY = (InputHeight - scaled.Height) / 2;
            var tensor = new float[3 * InputWidth * InputHeight];
            var plane = InputWidth * InputHeight;
            var pixels = scaled.Pixels;
            for (var y = 0; y < scaled.Height; y++)
            {
                var row = (y + offsetY) * InputWidth;
                for (var x = 0; x < scaled.Width; x++)
                {
                    var p = ((y * scaled.Width) + x) * 3;
                    var t = row + x + offsetX;
                    tensor[t] = (pixels[p] - 127f) / 128f;
                    tensor[plane + t] = (pixels[p + 1] - 127f) / 128f;
                    tensor[(2 * plane) + t] = (pixels[p + 2] - 127f) / 128f;
                }
            }

            var outputs = _model.Run(Layout.InputName, tensor, new long[] { 1, 3, InputHeight, InputWidth }, _outputs, cancellationToken);
            var scores = outputs[0].Data;
            var corners = outputs[1].Data;
            var count = System.Math.Min(scores.Length / 2, corners.Length / 4);
            var candidates = new List<FaceDetection>();
            for (var i = 0; i < count; i++)
            {
                var score = scores[(2 * i) + 1];
                if (!(score >= threshold)) { continue; }
                var x1 = Clamp(((corners[4 * i] * InputWidth) - offsetX) / factor, image.Width);
                var y1 = Clamp(((corners[(4 * i) + 1] * InputHeight) - offsetY) / factor, image.Height);
                var x2 = Clamp(((corners[(4 * i) + 2] * InputWidth) - offsetX) / factor, image.Width);
                var y2 = Clamp(((corners[(4 * i) + 3] * InputHeight) - offsetY) / factor, image.Height);
                var w = x2 - x1;
                var h = y2 - y1;
                if (w <= 1 || h <= 1) { continue; }
                candidates.Add(new FaceDetection(x1, y1, w, h, score, null));
            }

            return candidates;
        }

        private static float Clamp(float v, int limit) => v < 0 ? 0 : (v > limit ? limit : v);
    }
}
