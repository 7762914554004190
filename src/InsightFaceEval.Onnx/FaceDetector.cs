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
        /// <summary>
        /// Lowest face probability kept (0..1); null for the detector family's own default: 0.65 for Ultra-Light (the
        /// faceplugin package's threshold), 0.5 for SCRFD and RetinaFace (InsightFace's det_thresh).
        /// </summary>
        public float? ConfidenceThreshold { get; set; }

        /// <summary>
        /// The square input size an SCRFD or RetinaFace model with free spatial dimensions runs at (InsightFace's
        /// det_size); a model that fixes its input size runs at that. Default 640.
        /// </summary>
        public int DetectionSize { get; set; } = 640;

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
            if (DetectionSize < 32 || DetectionSize % 32 != 0) { throw new ArgumentOutOfRangeException(nameof(DetectionSize), "The detection size is a multiple of 32 (the detector's largest stride), at least 32."); }
            if (ConfidenceThreshold.HasValue && !(ConfidenceThreshold >= 0 && ConfidenceThreshold <= 1)) { throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), "The confidence threshold is a probability between 0 and 1."); }
            if (!(NmsThreshold > 0 && NmsThreshold <= 1)) { throw new ArgumentOutOfRangeException(nameof(NmsThreshold), "The overlap threshold is an IoU above 0 and at most 1."); }
            if (!(MinimumFaceSize >= 0)) { throw new ArgumentOutOfRangeException(nameof(MinimumFaceSize)); }
            if (IntraOpThreads < 0) { throw new ArgumentOutOfRangeException(nameof(IntraOpThreads)); }
        }
    }

    /// <summary>
    /// Finds faces and their five landmarks with a face detector model whose layout is recognised from its inputs and
    /// outputs (<see cref="DetectorFamily"/>): SCRFD and RetinaFace give the five keypoints themselves; for an
    /// Ultra-Light detector (input float[1,3,H,W] RGB (x - 127) / 128; outputs 'scores' [1,N,2] and 'boxes' [1,N,4],
    /// the faceplugin sample) or a detector without keypoints, a 68-point (or 5-point) landmark regressor on a 64 x 64
    /// grey face crop places them, as the faceplugin package runs it.
    /// </summary>
    public sealed class FaceDetector : IDisposable
    {
        private readonly OnnxModel _detector;
        private readonly OnnxModel _landmarks;
        private readonly IDetectorHead _head;
        private readonly float _threshold;
        private readonly float _nms;
        private readonly float _minimumFaceSize;
        private readonly string _landmarkInput;
        private readonly string[] _landmarkOutputs;
        private readonly int _landmarkSize;
        private readonly int _landmarkPoints;

        private FaceDetector(OnnxModel detector, IDetectorHead head, OnnxModel landmarks, FaceDetectorOptions options)
        {
            _detector = detector;
            _head = head;
            _landmarks = landmarks;
            _threshold = options.ConfidenceThreshold ?? head.DefaultThreshold;
            _nms = options.NmsThreshold;
            _minimumFaceSize = options.MinimumFaceSize;
            if (landmarks == null) { return; }
            var landmarkInput = CheckLandmark(landmarks, out var landmarkOutput, out _landmarkPoints);
            _landmarkInput = landmarkInput.Name;
            _landmarkOutputs = new[] { landmarkOutput.Name };
            _landmarkSize = landmarkInput.Dim(2) > 0 ? (int)landmarkInput.Dim(2) : 64;
        }

        /// <summary>File name of the detector model.</summary>
        public string DetectorName => _detector.FileName;

        /// <summary>Full path of the detector model.</summary>
        public string DetectorPath => _detector.Path;

        /// <summary>Full path of the landmark model, or null when the detector gives the keypoints itself.</summary>
        public string LandmarkPath => _landmarks?.Path;

        /// <summary>The detector's family, recognised from its inputs and outputs.</summary>
        public DetectorFamily Family => _head.Layout.Family;

        /// <summary>The recognised layout in words, for verbose messages.</summary>
        public string LayoutDescription => _head.Layout.Describe();

        /// <summary>The detector's input size: width x height the image is letterboxed into.</summary>
        public int InputWidth => _head.InputWidth;

        public int InputHeight => _head.InputHeight;

        /// <summary>The score threshold in use (the option, or the family's default).</summary>
        public float ConfidenceThreshold => _threshold;

        /// <summary>
        /// Loads the detector and, when it gives no keypoints itself, the landmark model (<paramref name="landmarkPath"/>,
        /// or the module's default when null). One session each, reused for every call. Throws
        /// <see cref="OnnxModelException"/> for a missing, unreadable or unfitting model and
        /// <see cref="OnnxRuntimeUnavailableException"/> when ONNX Runtime cannot be loaded.
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
                var layout = DetectorLayout.Recognise(detector);
                IDetectorHead head = layout.Family == DetectorFamily.UltraLight
                    ? (IDetectorHead)new UltraLightDetectorHead(detector, layout)
                    : new AnchoredDetectorHead(detector, layout, options.DetectionSize);
                if (!layout.HasKeypoints)
                {
                    landmarks = OnnxModel.Open(DefaultModels.LandmarkOr(landmarkPath), OnnxModelRole.Landmark, options.IntraOpThreads);
                }

                return new FaceDetector(detector, head, landmarks, options);
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
                result.Add(WithLandmarks(image, box, cancellationToken));
            }

            return result;
        }

        /// <summary>
        /// Face boxes and scores, highest score first; with the keypoints when the detector gives them, without
        /// (see <see cref="WithLandmarks"/>) when a landmark model places them.
        /// </summary>
        public IReadOnlyList<FaceDetection> DetectBoxes(RgbImage image, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (image == null) { throw new ArgumentNullException(nameof(image)); }
            var candidates = _head.Candidates(image, _threshold, cancellationToken);

            // Size is judged on each face's best box, after suppression: filtering candidates first would let a
            // looser, larger box of a small face through.
            var faces = FaceDetection.SuppressOverlaps(candidates, _nms);
            faces.RemoveAll(f => Math.Min(f.Width, f.Height) < _minimumFaceSize);
            return faces;
        }

        /// <summary><paramref name="box"/> with its five landmarks: the detector's own, else the landmark model's.</summary>
        public FaceDetection WithLandmarks(RgbImage image, FaceDetection box, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (box == null) { throw new ArgumentNullException(nameof(box)); }
            return box.LandmarksUnsafe != null ? box : box.WithLandmarks(PredictLandmarks(image, box, cancellationToken));
        }

        /// <summary>
        /// Five landmarks for a detected box: the landmark model sees a square of the box's height around
        /// the box centre (the faceplugin framing), grey, 64 x 64, scaled to 0..1.
        /// </summary>
        public float[] PredictLandmarks(RgbImage image, FaceDetection box, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (_landmarks == null)
            {
                if (box?.LandmarksUnsafe == null) { throw new InvalidOperationException("The detector gives keypoints itself and has no landmark model; this box has none."); }
                return box.Landmarks;
            }

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
            _landmarks?.Dispose();
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
