using System;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// Where the five landmarks (left eye, right eye, nose tip, left and right mouth corner, in image
    /// left-to-right order) land in an aligned ArcFace input: the 112 x 112 reference InsightFace and
    /// most ArcFace-style recognisers are trained on.
    /// </summary>
    public static class ArcFaceTemplate
    {
        private static readonly float[] Reference112 =
        {
            38.2946f, 51.6963f,
            73.5318f, 51.5014f,
            56.0252f, 71.7366f,
            41.5493f, 92.3655f,
            70.7299f, 92.2041f,
        };

        /// <summary>
        /// The template for a square input of <paramref name="size"/> pixels. Sizes that are multiples of
        /// 112 scale the 112 reference; other sizes follow InsightFace's rule for 128-based crops (scale by
        /// size/128 and shift right by 8 * size/128).
        /// </summary>
        public static float[] For(int size)
        {
            if (size <= 0) { throw new ArgumentOutOfRangeException(nameof(size)); }
            float ratio, shiftX;
            if (size % 112 == 0)
            {
                ratio = size / 112f;
                shiftX = 0f;
            }
            else
            {
                ratio = size / 128f;
                shiftX = 8f * ratio;
            }

            var points = new float[10];
            for (var i = 0; i < 5; i++)
            {
                points[2 * i] = (Reference112[2 * i] * ratio) + shiftX;
                points[(2 * i) + 1] = Reference112[(2 * i) + 1] * ratio;
            }

            return points;
        }
    }
}
