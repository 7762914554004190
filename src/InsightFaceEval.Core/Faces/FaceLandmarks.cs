using System;

namespace InsightFaceEval.Faces
{
    /// <summary>Landmark layouts and their reduction to the five points alignment uses.</summary>
    public static class FaceLandmarks
    {
        /// <summary>
        /// Five points from the 68-point (iBUG 300-W) layout, as the faceplugin package derives them:
        /// each eye is the mean of its four eyelid points (37, 38, 40, 41 and 43, 44, 46, 47, 0-based),
        /// the nose is the tip (30), each mouth corner the mean of the outer and inner corner (48, 60 and 54, 64).
        /// </summary>
        public static float[] FiveFrom68(float[] points68)
        {
            if (points68 == null || points68.Length != 136)
            {
                throw new ArgumentException("Expected 68 points (136 numbers).", nameof(points68));
            }

            float X(int i) => points68[2 * i];
            float Y(int i) => points68[(2 * i) + 1];
            return new[]
            {
                (X(37) + X(38) + X(40) + X(41)) / 4f, (Y(37) + Y(38) + Y(40) + Y(41)) / 4f,
                (X(43) + X(44) + X(46) + X(47)) / 4f, (Y(43) + Y(44) + Y(46) + Y(47)) / 4f,
                X(30), Y(30),
                (X(48) + X(60)) / 2f, (Y(48) + Y(60)) / 2f,
                (X(54) + X(64)) / 2f, (Y(54) + Y(64)) / 2f,
            };
        }
    }
}
