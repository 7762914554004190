using System;
using System.Threading.Tasks;

namespace InsightFaceEval.Faces
{
    /// <summary>Aligns a face onto the ArcFace template: similarity transform of its five landmarks, then a bilinear warp.</summary>
    public static class FaceAlignment
    {
        /// <summary>The transform from image coordinates to the aligned <paramref name="size"/> x <paramref name="size"/> crop.</summary>
        public static Affine2D TransformFor(float[] landmarks, int size)
        {
            if (landmarks == null || landmarks.Length != 10)
            {
                throw new ArgumentException("Alignment needs five landmarks (10 numbers: x1, y1 .. x5, y5).", nameof(landmarks));
            }

            return SimilarityTransform.Estimate(landmarks, ArcFaceTemplate.For(size));
        }

        /// <summary>
        /// The aligned face, as OpenCV's warpAffine(image, M, (size, size)) gives it: bilinear, black outside the image.
        /// </summary>
        public static RgbImage Align(RgbImage image, float[] landmarks, int size)
        {
            if (image == null) { throw new ArgumentNullException(nameof(image)); }
            return Warp(image, TransformFor(landmarks, size), size, size);
        }

        /// <summary>Samples <paramref name="image"/> through <paramref name="toTarget"/> (image -> output coordinates).</summary>
        public static RgbImage Warp(RgbImage image, Affine2D toTarget, int width, int height)
        {
            var inverse = toTarget.Invert();
            var pixels = new byte[width * height * 3];
            for (var y = 0; y < height; y++)
            {
                var row = y * width * 3;
                for (var x = 0; x < width; x++)
                {
                    inverse.Apply(x, y, out var sx, out var sy);
                    var o = row + (x * 3);
                    for (var c = 0; c < 3; c++)
                    {
                        var v = image.SampleBilinear((float)sx, (float)sy, c);
                        pixels[o + c] = (byte)Math.Min(255, (int)(v + 0.5f));
                    }
                }
            }

            return new RgbImage(width, height, pixels);
        }
    }
}
