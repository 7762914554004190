using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Onnx
{
    /// <summary>Settings for <see cref="FaceDetector"/>.</summary>
    public sealed class FaceDetectorOptions
    {
        /// <summary>Lowest face probability kept (0..1). 0.65 is the faceplugin package's own threshold.</summary>
        public float ConfidenceThreshold { get; set; } = 0.65f;

        /// <summary>Two boxes overlapping by more than this intersection-over-union are one face.</summary>
        public float NmsThreshold { get; set; } = 0.4f;

        /// <summary>Faces whose box is smaller than this many pixels on its shorter side are dropped.</summary>
        public float MinimumFaceSize { get; set; }

        /// <summary>
        /// ONNX Runtime threads per call: 1 when the caller runs several images at once (the engine and
        /// Find-Face do), 0 to let one call use every core.
        /// </summary>
        public int IntraOpThreads { get; set; } = 1;

        internal void Validate()
        {
            if (!(ConfidenceThreshold >= 0 && ConfidenceThreshold <= 1)) { throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), "The confidence threshold is a probability between 0 and 1."); }
            if (!(NmsThreshold > 0 && NmsThreshold <= 1)) { throw new ArgumentOutOfRangeException(nameof(NmsThreshold), "The overlap threshold is an IoU above 0 and at most 1."); }
            if (!(MinimumFaceSize >= 0)) { throw new ArgumentOutOfRangeException(nameof(MinimumFaceSize)); }
            if (IntraOpThreads < 0) { throw new ArgumentOutOfRangeException(nameof(IntraOpThreads)); }
        }
    }

    /// <summary>
    /// Finds faces and their five landmarks with two ONNX models: an anchor-box face detector of the
    /// Ultra-Light family (input float[1,3,H,W] RGB (x - 127) / 128; outputs 'scores' [1,N,2] softmaxed
    /// background/face and 'boxes' [1,N,4] corners normalised to the input) and a 68-point (or 5-point)
    /// landmark regressor on a 64 x 64 grey face crop, as the faceplugin package runs them.
    /// </summary>
    public sealed class FaceDetector : IDisposable
    {
        private readonly OnnxModel _detector;
        private readonly OnnxModel _landmarks;
        private readonly FaceDetectorOptions _options;
        private readonly string _detectorInput;
        private readonly string[] _detectorOutputs;
        private readonly int _inputWidth;
        private readonly int _inputHeight;
        private readonly string _landmarkInput;
        private readonly string[] _landmarkOutputs;
        private readonly int _landmarkSize;
        private readonly int _landmarkPoints;

        private FaceDetector(OnnxModel detector, OnnxModel landmarks, FaceDetectorOptions options)
        {
            _detector = detector;
            _landmarks = landmarks;
            _options = options;

            var input = CheckDetector(detector, out var scores, out var boxes);
            _detectorInput = input.Name;
            _detectorOutputs = new[] { scores.Name, boxes.Name };
            // A model exported with free spatial dimensions runs at the faceplugin model's 320 x 240.
            _inputHeight = input.Dim(2) > 0 ? (int)input.Dim(2) : 240;
            _inputWidth = input.Dim(3) > 0 ? (int)input.Dim(3) : 320;

            var landmarkInput = CheckLandmark(landmarks, out var landmarkOutput, out _landmarkPoints);
            _landmarkInput = landmarkInput.Name;
            _landmarkOutputs = new[] { landmarkOutput.Name };
            _landmarkSize = landmarkInput.Dim(2) > 0 ? (int)landmarkInput.Dim(2) : 64;
        }

        /// <summary>File name of the detector model.</summary>
        public string DetectorName => _detector.FileName;

        /// <summary>Full path of the detector model.</summary>
        public string DetectorPath => _detector.Path;

        /// <summary>Full path of the landmark model.</summary>
        public string LandmarkPath => _landmarks.Path;

        /// <summary>The detector's input size: width x height the image is letterboxed into.</summary>
        public int InputWidth => _inputWidth;

        public int InputHeight => _inputHeight;

        /// <summary>
        /// Loads both models (one session each, reused for every call). Throws <see cref="OnnxModelException"/>
        /// for a missing, unreadable or unfitting model and <see cref="OnnxRuntimeUnavailableException"/>
        /// when ONNX Runtime cannot be loaded.
        /// </summary>
        public static FaceDetector Open(string detectorPath, string landmarkPath, FaceDetectorOptions options = null)
        {
            options = options ?? new FaceDetectorOptions();
            options.Validate();
            OnnxModel detector = null;
            OnnxModel landmarks = null;
            try
            {
                detector = OnnxModel.Open(detectorPath, OnnxModelRole.Detector, options.IntraOpThreads);
                landmarks = OnnxModel.Open(landmarkPath, OnnxModelRole.Landmark, options.IntraOpThreads);
                return new FaceDetector(detector, landmarks, options);
            }
            catch
            {
                detector?.Dispose();
                landmarks?.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Every face in <paramref name="image"/> (upright pixel coordinates) with its five landmarks,
        /// highest score first.
        /// </summary>
        public IReadOnlyList<FaceDetection> Detect(RgbImage image, CancellationToken cancellationToken = default(CancellationToken))
        {
            var boxes = DetectBoxes(image, cancellationToken);
            var result = new List<FaceDetection>(boxes.Count);
            foreach (var box in boxes)
            {
                result.Add(box.WithLandmarks(PredictLandmarks(image, box, cancellationToken)));
            }

            return result;
        }

        /// <summary>Face boxes and scores only (no landmarks), highest score first.</summary>
        public IReadOnlyList<FaceDetection> DetectBoxes(RgbImage image, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (image == null) { throw new ArgumentNullException(nameof(image)); }

            // Letterbox (keep the aspect ratio, pad with the value that normalises to 0) rather than stretch
            // as the faceplugin demo does: a portrait face crop stretched to 4:3 is often missed.
            var scaled = image.ResizeToFit(_inputWidth, _inputHeight, out var factor);
            var offsetX = (_inputWidth - scaled.Width) / 2;
            var offsetY = (_inputHeight - scaled.Height) / 2;
            var tensor = new float[3 * _inputWidth * _inputHeight];
            var plane = _inputWidth * _inputHeight;
            var pixels = scaled.Pixels;
            for (var y = 0; y < scaled.Height; y++)
            {
                var row = (y + offsetY) * _inputWidth;
                for (var x = 0; x < scaled.Width; x++)
                {
                    var p = ((y * scaled.Width) + x) * 3;
                    var t = row + x + offsetX;
                    tensor[t] = (pixels[p] - 127f) / 128f;
                    tensor[plane + t] = (pixels[p + 1] - 127f) / 128f;
                    tensor[(2 * plane) + t] = (pixels[p + 2] - 127f) / 128f;
                }
            }

            var outputs = _detector.Run(_detectorInput, tensor, new long[] { 1, 3, _inputHeight, _inputWidth }, _detectorOutputs, cancellationToken);
            var scores = outputs[0].Data;
            var corners = outputs[1].Data;
            var count = Math.Min(scores.Length / 2, corners.Length / 4);
            var candidates = new List<FaceDetection>();
            for (var i = 0; i < count; i++)
            {
                var score = scores[(2 * i) + 1];
                if (!(score >= _options.ConfidenceThreshold)) { continue; }
                var x1 = Clamp(((corners[4 * i] * _inputWidth) - offsetX) / factor, image.Width);
                var y1 = Clamp(((corners[(4 * i) + 1] * _inputHeight) - offsetY) / factor, image.Height);
                var x2 = Clamp(((corners[(4 * i) + 2] * _inputWidth) - offsetX) / factor, image.Width);
                var y2 = Clamp(((corners[(4 * i) + 3] * _inputHeight) - offsetY) / factor, image.Height);
                var w = x2 - x1;
                var h = y2 - y1;
                if (w <= 1 || h <= 1) { continue; }
                candidates.Add(new FaceDetection(x1, y1, w, h, score, null));
            }

            // Size is judged on each face's best box, after suppression: filtering candidates first would let a
            // looser, larger box of a small face through.
            var faces = FaceDetection.SuppressOverlaps(candidates, _options.NmsThreshold);
            faces.RemoveAll(f => Math.Min(f.Width, f.Height) < _options.MinimumFaceSize);
            return faces;
        }

        /// <summary>
        /// Five landmarks for a detected box: the landmark model sees a square of the box's height around
        /// the box centre (the faceplugin framing), grey, 64 x 64, scaled to 0..1.
        /// </summary>
        public float[] PredictLandmarks(RgbImage image, FaceDetection box, CancellationToken cancellationToken = default(CancellationToken))
        {
            var side = (float)box.Height;
            var left = (float)box.CenterX - (side / 2f);
            var top = (float)box.CenterY - (side / 2f);
            var size = _landmarkSize;
            var step = side / size;
            // Average several bilinear taps per output pixel when shrinking, so a large face is not aliased.
            var taps = Math.Max(1, (int)Math.Ceiling(step));
            var input = new float[size * size];
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    float sum = 0;
                    for (var ty = 0; ty < taps; ty++)
                    {
                        var sy = top + ((y + ((ty + 0.5f) / taps)) * step) - 0.5f;
                        for (var tx = 0; tx < taps; tx++)
                        {
                            var sx = left + ((x + ((tx + 0.5f) / taps)) * step) - 0.5f;
                            sum += image.SampleBilinearGray(sx, sy);
                        }
                    }

                    input[(y * size) + x] = sum / (taps * taps) / 256f;
                }
            }

            var output = _landmarks.Run(_landmarkInput, input, new long[] { 1, 1, size, size }, _landmarkOutputs, cancellationToken)[0].Data;
            var points = new float[_landmarkPoints * 2];
            for (var i = 0; i < _landmarkPoints; i++)
            {
                points[2 * i] = left + (output[2 * i] * side);
                points[(2 * i) + 1] = top + (output[(2 * i) + 1] * side);
            }

            return _landmarkPoints == 68 ? FaceLandmarks.FiveFrom68(points) : points;
        }

        public void Dispose()
        {
            _detector.Dispose();
            _landmarks.Dispose();
        }

        private static float Clamp(float v, int limit) => v < 0 ? 0 : (v > limit ? limit : v);

        private static TensorSignature CheckDetector(OnnxModel model, out TensorSignature scores, out TensorSignature boxes)
        {
            var input = model.Inputs.Count == 1 ? model.Inputs[0] : null;
            scores = model.Outputs.FirstOrDefault(o => o.IsFloat && o.Rank == 3 && o.Dim(2) == 2 && (o.Name == "scores" || model.Outputs.Count(p => p.Rank == 3 && p.Dim(2) == 2) == 1));
            boxes = model.Outputs.FirstOrDefault(o => o.IsFloat && o.Rank == 3 && o.Dim(2) == 4 && (o.Name == "boxes" || model.Outputs.Count(p => p.Rank == 3 && p.Dim(2) == 4) == 1));
            var inputFits = input != null && input.IsFloat && input.Rank == 4 && (input.Dim(0) == 1 || input.Dim(0) < 0) && (input.Dim(1) == 3 || input.Dim(1) < 0);
            if (!inputFits || scores == null || boxes == null)
            {
                throw new OnnxModelException(
                    $"The face detector model '{model.FileName}' does not fit. Expected one float input [1,3,H,W] (RGB) and outputs " +
                    $"'scores' [1,N,2] (background, face) and 'boxes' [1,N,4] (corners 0..1), as Ultra-Light face detectors export them; found {model.DescribeSignature()}.",
                    model.Path, OnnxModelRole.Detector, OnnxModelProblem.ContractMismatch);
            }

            return input;
        }

        private static TensorSignature CheckLandmark(OnnxModel model, out TensorSignature output, out int points)
        {
            var input = model.Inputs.Count == 1 ? model.Inputs[0] : null;
            output = model.Outputs.Count >= 1 ? model.Outputs[0] : null;
            var length = output != null && output.IsFloat && output.Rank == 2 ? output.Dim(1) : -1;
            points = length == 136 ? 68 : length == 10 ? 5 : 0;
            var inputFits = input != null && input.IsFloat && input.Rank == 4 && (input.Dim(1) == 1 || input.Dim(1) < 0)
                && input.Dim(2) == input.Dim(3);
            if (!inputFits || points == 0)
            {
                throw new OnnxModelException(
                    $"The landmark model '{model.FileName}' does not fit. Expected one float input [1,1,S,S] (a grey square face crop) and a float output " +
                    $"[1,136] (68 points) or [1,10] (5 points), coordinates 0..1 of the crop; found {model.DescribeSignature()}.",
                    model.Path, OnnxModelRole.Landmark, OnnxModelProblem.ContractMismatch);
            }

            return input;
        }
    }
}
