using System;
using System.Globalization;

namespace InsightFaceEval.Faces
{
    /// <summary>One face a detector found: its box in upright image pixels, its score and five landmarks.</summary>
    public sealed class FaceDetection
    {
        private readonly float[] _landmarks;

        public FaceDetection(float x, float y, float width, float height, float score, float[] landmarks)
        {
            if (landmarks != null && landmarks.Length != 10)
            {
                throw new ArgumentException("Landmarks are five points: 10 numbers x1, y1 .. x5, y5.", nameof(landmarks));
            }

            X = x; Y = y; Width = width; Height = height; Score = score;
            _landmarks = landmarks == null ? null : (float[])landmarks.Clone();
        }

        public float X { get; }
        public float Y { get; }
        public float Width { get; }
        public float Height { get; }

        /// <summary>The detector's face probability, 0..1.</summary>
        public float Score { get; }

        /// <summary>Left eye, right eye, nose tip, left mouth corner, right mouth corner (x, y each); null before landmarking.</summary>
        public float[] Landmarks => _landmarks == null ? null : (float[])_landmarks.Clone();

        internal float[] LandmarksUnsafe => _landmarks;

        public float Area => Width * Height;

        public float CenterX => X + (Width / 2f);

        public float CenterY => Y + (Height / 2f);

        /// <summary>This detection with five landmarks attached.</summary>
        public FaceDetection WithLandmarks(float[] landmarks) => new FaceDetection(X, Y, Width, Height, Score, landmarks);

        /// <summary>Intersection over union of two boxes.</summary>
        public static float IntersectionOverUnion(FaceDetection a, FaceDetection b)
        {
            var iw = Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X);
            var ih = Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y);
            if (iw <= 0 || ih <= 0) { return 0f; }
            var inter = iw * ih;
            return inter / (a.Area + b.Area - inter);
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "({0:F0}, {1:F0}) {2:F0}x{3:F0} score {4:F3}", X, Y, Width, Height, Score);
    }
}
