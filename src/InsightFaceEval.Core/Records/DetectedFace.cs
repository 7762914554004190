using System;
using System.Globalization;

namespace InsightFaceEval
{
    /// <summary>
    /// One face Find-Face found in one image. Its Path, BoundingBox and Landmarks bind by property name
    /// into New-FaceCrop, which crops exactly this face.
    /// </summary>
    public sealed class DetectedFace
    {
        private readonly double[] _boundingBox;
        private readonly float[] _landmarks;

        public DetectedFace(
            string path,
            int faceIndex,
            int faceCount,
            double[] boundingBox,
            float[] landmarks,
            float detectionScore,
            int imageWidth,
            int imageHeight,
            string detector)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            if (boundingBox == null || boundingBox.Length != 4) { throw new ArgumentException("The box is x, y, width, height.", nameof(boundingBox)); }
            if (landmarks == null || landmarks.Length != 10) { throw new ArgumentException("Landmarks are x1, y1 .. x5, y5.", nameof(landmarks)); }
            FaceIndex = faceIndex;
            FaceCount = faceCount;
            _boundingBox = (double[])boundingBox.Clone();
            _landmarks = (float[])landmarks.Clone();
            DetectionScore = detectionScore;
            ImageWidth = imageWidth;
            ImageHeight = imageHeight;
            Detector = detector;
        }

        /// <summary>Full path of the image the face is in.</summary>
        public string Path { get; }

        /// <summary>Position of this face among the image's faces, left to right from 0.</summary>
        public int FaceIndex { get; }

        /// <summary>How many faces the image holds.</summary>
        public int FaceCount { get; }

        /// <summary>The face box: x, y, width, height in pixels of the upright image (EXIF orientation applied).</summary>
        public double[] BoundingBox => (double[])_boundingBox.Clone();

        /// <summary>Five landmarks x1, y1 .. x5, y5: left eye, right eye, nose tip, left and right mouth corner.</summary>
        public float[] Landmarks => (float[])_landmarks.Clone();

        /// <summary>The detector's face probability, 0..1.</summary>
        public float DetectionScore { get; }

        /// <summary>Width of the upright image in pixels.</summary>
        public int ImageWidth { get; }

        /// <summary>Height of the upright image in pixels.</summary>
        public int ImageHeight { get; }

        /// <summary>File name of the detector model that found the face.</summary>
        public string Detector { get; }

        public override string ToString() =>
            string.Format(
                CultureInfo.InvariantCulture,
                "{0} face {1}: ({2:F0}, {3:F0}) {4:F0}x{5:F0} score {6:F3}",
                System.IO.Path.GetFileName(Path), FaceIndex, _boundingBox[0], _boundingBox[1], _boundingBox[2], _boundingBox[3], DetectionScore);
    }
}
