using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.IO;

namespace InsightFaceEval.Onnx
{
    /// <summary>The faces found in one image file, ready to become <see cref="DetectedFace"/> objects.</summary>
    public sealed class ImageFaces
    {
        private ImageFaces(string path, int width, int height, IReadOnlyList<FaceDetection> faces)
        {
            Path = path;
            Width = width;
            Height = height;
            Faces = faces;
        }

        public string Path { get; }

        /// <summary>Width of the upright image.</summary>
        public int Width { get; }

        /// <summary>Height of the upright image.</summary>
        public int Height { get; }

        /// <summary>The faces, left to right (then top to bottom).</summary>
        public IReadOnlyList<FaceDetection> Faces { get; }

        /// <summary>
        /// Reads, decodes (EXIF upright) and detects <paramref name="path"/>. Throws <see cref="InvalidDataException"/>
        /// for a file that is not a readable image and the usual I/O exceptions for one that cannot be read.
        /// </summary>
        public static ImageFaces Detect(FaceDetector detector, string path, CancellationToken cancellationToken)
        {
            if (detector == null) { throw new ArgumentNullException(nameof(detector)); }
            return Detect(detector, path, new InsightFaceEval.Imaging.ImageLoader(), InsightFaceEval.Imaging.ImageLoader.DefaultMaxPixels, cancellationToken);
        }

        /// <summary>
        /// Reads <paramref name="path"/> with New-FaceCrop's checks (regular file, header-first pixel cap, corrupt and
        /// truncated data) and detects its faces. Throws <see cref="InsightFaceEval.Imaging.ImageLoadException"/> for an
        /// image that cannot be used.
        /// </summary>
        public static ImageFaces Detect(FaceDetector detector, string path, InsightFaceEval.Imaging.ImageLoader loader, long maxPixels, CancellationToken cancellationToken)
        {
            if (detector == null) { throw new ArgumentNullException(nameof(detector)); }
            return Detect(detector, RgbImage.LoadChecked(path, loader, maxPixels), path, cancellationToken);
        }

        private static ImageFaces Detect(FaceDetector detector, RgbImage image, string path, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var faces = detector.Detect(image, cancellationToken)
                .OrderBy(f => f.X).ThenBy(f => f.Y)
                .ToList();
            return new ImageFaces(path, image.Width, image.Height, faces);
        }

        /// <summary>One output object per face.</summary>
        public IEnumerable<DetectedFace> ToDetectedFaces(string detectorName)
        {
            for (var i = 0; i < Faces.Count; i++)
            {
                yield return Faces[i].ToDetectedFace(Path, i, Faces.Count, Width, Height, detectorName);
            }
        }
    }
}
