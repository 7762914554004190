namespace InsightFaceEval
{
    /// <summary>
    /// One face cropped from one image and saved as a lossless PNG. Produced by New-FaceCrop,
    /// consumed by Get-FaceEmbedding (which binds Path, Identity and RelativePath by property name).
    /// </summary>
    public sealed class FaceCrop
    {
        public FaceCrop(
            string path,
            string sourcePath,
            string relativePath,
            string identity,
            int faceIndex,
            double[] boundingBox,
            int[] cropBox,
            int width,
            int height,
            double scale,
            float[] landmarks,
            float? detectionScore)
        {
            Path = path;
            SourcePath = sourcePath;
            RelativePath = relativePath;
            Identity = identity;
            FaceIndex = faceIndex;
            BoundingBox = boundingBox;
            CropBox = cropBox;
            Width = width;
            Height = height;
            Scale = scale;
            Landmarks = landmarks;
            DetectionScore = detectionScore;
        }

        /// <summary>Full path of the PNG that was written.</summary>
        public string Path { get; }

        /// <summary>Full path of the image the face was cropped from.</summary>
        public string SourcePath { get; }

        /// <summary>
        /// The crop's path relative to the output folder, '/'-separated: the source's folders relative
        /// to the dataset root, then '&lt;image name&gt;_&lt;FaceIndex&gt;.png' (for example 'alice/img1_0.png').
        /// </summary>
        public string RelativePath { get; }

        /// <summary>Identity label: the name of the source image's parent folder.</summary>
        public string Identity { get; }

        /// <summary>Position of this face among the image's boxes, in input order, from 0.</summary>
        public int FaceIndex { get; }

        /// <summary>The face box as given: x, y, width, height in upright-image pixels (before rounding).</summary>
        public double[] BoundingBox { get; }

        /// <summary>The region cut from the upright image: x, y, width, height in whole pixels (expanded and clamped).</summary>
        public int[] CropBox { get; }

        /// <summary>Width of the saved PNG.</summary>
        public int Width { get; }

        /// <summary>Height of the saved PNG.</summary>
        public int Height { get; }

        /// <summary>The downscale factor the vendor's helper computes (MaxSide / longest side), or 1 when the crop was not resized.</summary>
        public double Scale { get; }

        /// <summary>Five landmarks (x1, y1, ..., x5, y5) in the saved PNG's pixel coordinates, or null when none were given.</summary>
        public float[] Landmarks { get; }

        /// <summary>The detector's score for the face, when it was given.</summary>
        public float? DetectionScore { get; }

        public override string ToString() => RelativePath;
    }
}
