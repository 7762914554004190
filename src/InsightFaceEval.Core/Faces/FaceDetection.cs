using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InsightFaceEval.Imaging;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// One face in one image: its box in upright-image pixels, the detector's score when there is one and
    /// its five landmarks when known. The one face-box type of every stage: detectors produce it, a box given
    /// as numbers (New-FaceCrop's parameters, a detections file, an identity map row) is read into it, the crop
    /// stage cuts it, and <see cref="ToDetectedFace"/> turns it into Find-Face's output record.
    /// </summary>
    /// <remarks>
    /// The box is kept in doubles exactly as given: the crop geometry reproduces the vendor helper in IEEE doubles,
    /// and a detector's float box widens to double without change.
    /// </remarks>
    public sealed class FaceDetection
    {
        private readonly float[] _landmarks;

        /// <summary>A face box with its optional score and optional five landmarks (10 numbers x1, y1 .. x5, y5).</summary>
        public FaceDetection(double x, double y, double width, double height, float? score = null, float[] landmarks = null)
        {
            if (landmarks != null && landmarks.Length != 10)
            {
                throw new ArgumentException("Landmarks are five points: 10 numbers x1, y1 .. x5, y5.", nameof(landmarks));
            }

            X = x; Y = y; Width = width; Height = height; Score = score;
            _landmarks = landmarks == null ? null : (float[])landmarks.Clone();
        }

        public double X { get; }

        public double Y { get; }

        public double Width { get; }

        public double Height { get; }

        /// <summary>The detector's face probability, 0..1; null when the box came without one.</summary>
        public float? Score { get; }

        /// <summary>Left eye, right eye, nose tip, left mouth corner, right mouth corner (x, y each); null when not known.</summary>
        public float[] Landmarks => _landmarks == null ? null : (float[])_landmarks.Clone();

        internal float[] LandmarksUnsafe => _landmarks;

        /// <summary>Width times height (a negative width or height counts as zero).</summary>
        public double Area => Math.Max(0, Width) * Math.Max(0, Height);

        public double CenterX => X + (Width / 2);

        public double CenterY => Y + (Height / 2);

        /// <summary>This detection with five landmarks attached.</summary>
        public FaceDetection WithLandmarks(float[] landmarks) => new FaceDetection(X, Y, Width, Height, Score, landmarks);

        /// <summary>x, y, width, height as given.</summary>
        public double[] ToArray() => new[] { X, Y, Width, Height };

        /// <summary>
        /// Find-Face's output record for this face: the box rounded to two decimals, the landmarks and score
        /// (a detector face has both) and the image it is in.
        /// </summary>
        public DetectedFace ToDetectedFace(string path, int faceIndex, int faceCount, int imageWidth, int imageHeight, string detector) =>
            new DetectedFace(
                path,
                faceIndex,
                faceCount,
                new[] { Math.Round(X, 2), Math.Round(Y, 2), Math.Round(Width, 2), Math.Round(Height, 2) },
                _landmarks,
                Score ?? 0f,
                imageWidth,
                imageHeight,
                detector);

        /// <summary>A box from four numbers in the given convention.</summary>
        public static FaceDetection FromValues(double a, double b, double c, double d, BoxFormat format, float[] landmarks = null, float? score = null) =>
            format == BoxFormat.XYXY
                ? new FaceDetection(a, b, c - a, d - b, score, landmarks)
                : new FaceDetection(a, b, c, d, score, landmarks);

        /// <summary>
        /// Splits a flat list of numbers into boxes of four. Throws <see cref="FormatException"/> when the
        /// count is not a multiple of four or the landmark count does not match.
        /// </summary>
        public static List<FaceDetection> FromFlatList(IReadOnlyList<double> values, BoxFormat format, IReadOnlyList<float> landmarks = null, float? score = null)
        {
            if (values == null || values.Count == 0) { return new List<FaceDetection>(); }
            if (values.Count % 4 != 0)
            {
                throw new FormatException($"A bounding box needs four numbers (x, y, width, height, or x1, y1, x2, y2 with -BoxFormat XYXY); got {values.Count}.");
            }

            var count = values.Count / 4;
            if (landmarks != null && landmarks.Count > 0 && landmarks.Count != count * 10)
            {
                throw new FormatException($"Landmarks need ten numbers (x1, y1, ..., x5, y5) per box; got {landmarks.Count} for {count} box(es).");
            }

            var boxes = new List<FaceDetection>(count);
            for (var i = 0; i < count; i++)
            {
                float[] lm = null;
                if (landmarks != null && landmarks.Count > 0)
                {
                    lm = new float[10];
                    for (var k = 0; k < 10; k++) { lm[k] = landmarks[(i * 10) + k]; }
                }

                boxes.Add(FromValues(values[i * 4], values[(i * 4) + 1], values[(i * 4) + 2], values[(i * 4) + 3], format, lm, score));
            }

            return boxes;
        }

        /// <summary>
        /// Intersection over union of two boxes, in single precision as the detectors compute (their boxes are floats).
        /// </summary>
        public static float IntersectionOverUnion(FaceDetection a, FaceDetection b)
        {
            float ax = (float)a.X, ay = (float)a.Y, aw = (float)a.Width, ah = (float)a.Height;
            float bx = (float)b.X, by = (float)b.Y, bw = (float)b.Width, bh = (float)b.Height;
            var iw = Math.Min(ax + aw, bx + bw) - Math.Max(ax, bx);
            var ih = Math.Min(ay + ah, by + bh) - Math.Max(ay, by);
            if (iw <= 0 || ih <= 0) { return 0f; }
            var inter = iw * ih;
            return inter / ((aw * ah) + (bw * bh) - inter);
        }

        /// <summary>
        /// Greedy non-maximum suppression: highest score first, dropping every box whose IoU with a kept box
        /// exceeds <paramref name="iouThreshold"/>. Returns the kept boxes, highest score first.
        /// </summary>
        public static List<FaceDetection> SuppressOverlaps(IEnumerable<FaceDetection> candidates, float iouThreshold)
        {
            var kept = new List<FaceDetection>();
            foreach (var candidate in candidates.OrderByDescending(c => c.Score))
            {
                var overlaps = false;
                foreach (var k in kept)
                {
                    if (IntersectionOverUnion(candidate, k) > iouThreshold)
                    {
                        overlaps = true;
                        break;
                    }
                }

                if (!overlaps) { kept.Add(candidate); }
            }

            return kept;
        }

        /// <summary>x, y, width, height as given (the form messages quote a box in).</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "[{0}, {1}, {2}, {3}]", X, Y, Width, Height);
    }
}
