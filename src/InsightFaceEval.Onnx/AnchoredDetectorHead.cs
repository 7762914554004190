using System;
using System.Collections.Generic;
using System.Threading;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Onnx
{
    /// <summary>One detector model's raw outputs turned into candidate faces in image pixels (before suppression).</summary>
    internal interface IDetectorHead
    {
        DetectorLayout Layout { get; }

        /// <summary>The input size the model runs at, width x height.</summary>
        int InputWidth { get; }

        int InputHeight { get; }

        /// <summary>InsightFace's or the sample package's own score threshold for this family.</summary>
        float DefaultThreshold { get; }

        List<FaceDetection> Candidates(RgbImage image, float threshold, CancellationToken cancellationToken);
    }

    /// <summary>
    /// SCRFD and InsightFace-RetinaFace decoding: the image is letterboxed into the input (scaled to fit, placed top-left,
    /// the rest black), fed as RGB (x - 127.5) / 128; per stride s, position (row i, column j) and anchor a, row
    /// ((i * W/s) + j) * A + a holds a score, box distances (left, top, right, bottom) and keypoint offsets from the
    /// anchor centre (j * s, i * s), all in units of s; positions and distances are scaled back by the letterbox factor.
    /// </summary>
    internal sealed class AnchoredDetectorHead : IDetectorHead
    {
        private const float Mean = 127.5f;
        private const float Std = 128f;
        private readonly OnnxModel _model;

        public AnchoredDetectorHead(OnnxModel model, DetectorLayout layout, int detectionSize)
        {
            _model = model;
            Layout = layout;
            // A model that fixes its input size runs at it (InsightFace ignores det_size then); a free one at -DetectionSize.
            InputWidth = layout.InputWidth > 0 ? layout.InputWidth : detectionSize;
            InputHeight = layout.InputHeight > 0 ? layout.InputHeight : detectionSize;
            var largest = layout.Strides[layout.Strides.Length - 1];
            if (InputWidth % largest != 0 || InputHeight % largest != 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(detectionSize),
                    $"The detection size must be a multiple of {largest}, the detector's largest stride; got {InputWidth}x{InputHeight}.");
            }
        }

        public DetectorLayout Layout { get; }

        public int InputWidth { get; }

        public int InputHeight { get; }

        /// <summary>InsightFace's det_thresh.</summary>
        public float DefaultThreshold => 0.5f;

        public List<FaceDetection> Candidates(RgbImage image, float threshold, CancellationToken cancellationToken)
        {
            var tensor = Letterbox(image, InputWidth, InputHeight, out var scale);
            var shape = new long[] { 1, 3, InputHeight, InputWidth };
            var outputs = _model.Run(Layout.InputName, tensor, shape, Layout.OutputNames, cancellationToken);
            var fmc = Layout.Strides.Length;
            var candidates = new List<FaceDetection>();
            for (var k = 0; k < fmc; k++)
            {
                var stride = Layout.Strides[k];
                Decode(
                    outputs[k].Data,
                    outputs[k + fmc].Data,
                    Layout.HasKeypoints ? outputs[k + (2 * fmc)].Data : null,
                    stride,
                    threshold,
                    scale,
                    image.Width,
                    image.Height,
                    candidates,
                    k);
            }

            return candidates;
        }

        /// <summary>
        /// InsightFace's letterbox: the image scaled to fit (the scaled side truncated to whole pixels), at the top-left
        /// of a black input, as planar RGB (x - 127.5) / 128. <paramref name="scale"/> is scaled height / image height.
        /// </summary>
        internal static float[] Letterbox(RgbImage image, int width, int height, out float scale)
        {
            var imageRatio = (double)image.Height / image.Width;
            var modelRatio = (double)height / width;
            int newWidth, newHeight;
            if (imageRatio > modelRatio)
            {
                newHeight = height;
                newWidth = Math.Max(1, (int)(newHeight / imageRatio));
            }
            else
            {
                newWidth = width;
                newHeight = Math.Max(1, (int)(newWidth * imageRatio));
            }

            scale = (float)((double)newHeight / image.Height);
            var scaled = image.ResizeBilinear(newWidth, newHeight);
            var plane = width * height;
            var tensor = new float[3 * plane];
            var black = (0 - Mean) / Std;
            for (var i = 0; i < tensor.Length; i++) { tensor[i] = black; }
            var pixels = scaled.Pixels;
            for (var y = 0; y < newHeight; y++)
            {
                for (var x = 0; x < newWidth; x++)
                {
                    var p = ((y * newWidth) + x) * 3;
                    var t = (y * width) + x;
                    tensor[t] = (pixels[p] - Mean) / Std;
                    tensor[plane + t] = (pixels[p + 1] - Mean) / Std;
                    tensor[(2 * plane) + t] = (pixels[p + 2] - Mean) / Std;
                }
            }

            return tensor;
        }

        private void Decode(float[] scores, float[] distances, float[] keypoints, int stride, float threshold, float scale, int imageWidth, int imageHeight, List<FaceDetection> into, int output)
        {
            var columns = InputWidth / stride;
            var positions = columns * (InputHeight / stride);
            var anchors = positions == 0 ? 0 : scores.Length / positions;
            if (anchors < 1 || anchors * positions != scores.Length || distances.Length != 4 * scores.Length
                || (keypoints != null && keypoints.Length != 10 * scores.Length))
            {
                throw new OnnxModelException(
                    $"The face detector model '{_model.FileName}' gave {scores.Length} scores, {distances.Length / 4} boxes" +
                    (keypoints == null ? string.Empty : $" and {keypoints.Length / 10} keypoint sets") +
                    $" at stride {stride} (output '{Layout.OutputNames[output]}'); a {InputWidth}x{InputHeight} input has {positions} positions there, " +
                    "so the counts must be one equal multiple of that.",
                    _model.Path, OnnxModelRole.Detector, OnnxModelProblem.ContractMismatch);
            }

            for (var row = 0; row < scores.Length; row++)
            {
                var score = scores[row];
                if (!(score >= threshold)) { continue; }
                var position = row / anchors;
                var cx = (float)(position % columns) * stride;
                var cy = (float)(position / columns) * stride;
                var d = row * 4;
                var x1 = Clamp((cx - (distances[d] * stride)) / scale, imageWidth);
                var y1 = Clamp((cy - (distances[d + 1] * stride)) / scale, imageHeight);
                var x2 = Clamp((cx + (distances[d + 2] * stride)) / scale, imageWidth);
                var y2 = Clamp((cy + (distances[d + 3] * stride)) / scale, imageHeight);
                if (!(x2 - x1 > 1) || !(y2 - y1 > 1)) { continue; }
                float[] points = null;
                if (keypoints != null)
                {
                    points = new float[10];
                    var o = row * 10;
                    for (var i = 0; i < 5; i++)
                    {
                        points[2 * i] = (cx + (keypoints[o + (2 * i)] * stride)) / scale;
                        points[(2 * i) + 1] = (cy + (keypoints[o + (2 * i) + 1] * stride)) / scale;
                    }
                }

                into.Add(new FaceDetection(x1, y1, x2 - x1, y2 - y1, score, points));
            }
        }

        private static float Clamp(float v, int limit) => v < 0 ? 0 : (v > limit ? limit : v);
    }
}
