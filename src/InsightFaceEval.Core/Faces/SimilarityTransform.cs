using System;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// Least-squares similarity transform (rotation, uniform scale, translation; no reflection) between
    /// two point sets: Umeyama's estimator, as scikit-image's SimilarityTransform.estimate computes it for
    /// InsightFace's norm_crop.
    /// </summary>
    public static class SimilarityTransform
    {
        /// <summary>
        /// The similarity that maps <paramref name="source"/> onto <paramref name="target"/> with the least
        /// sum of squared distances. Points are interleaved x0, y0, x1, y1, ...
        /// </summary>
        /// <remarks>
        /// In 2-D a rotation with uniform scale is multiplication by one complex number a, so the problem is
        /// linear least squares in (a, t): a = sum((w - w̄) * conj(z - z̄)) / sum(|z - z̄|²), t = w̄ - a z̄.
        /// That is Umeyama's SVD solution specialised to 2-D: a complex factor cannot reflect, which is the
        /// case his sign correction excludes, so both give the same transform.
        /// </remarks>
        public static Affine2D Estimate(float[] source, float[] target)
        {
            if (source == null) { throw new ArgumentNullException(nameof(source)); }
            if (target == null) { throw new ArgumentNullException(nameof(target)); }
            if (source.Length != target.Length || source.Length < 4 || source.Length % 2 != 0)
            {
                throw new ArgumentException("Both point sets need the same number (two or more) of x, y pairs.");
            }

            var n = source.Length / 2;
            double zx = 0, zy = 0, wx = 0, wy = 0;
            for (var i = 0; i < n; i++)
            {
                zx += source[2 * i]; zy += source[(2 * i) + 1];
                wx += target[2 * i]; wy += target[(2 * i) + 1];
            }

            zx /= n; zy /= n; wx /= n; wy /= n;
            double re = 0, im = 0, norm = 0;
            for (var i = 0; i < n; i++)
            {
                var sx = source[2 * i] - zx;
                var sy = source[(2 * i) + 1] - zy;
                var tx = target[2 * i] - wx;
                var ty = target[(2 * i) + 1] - wy;
                // (tx + i ty) * (sx - i sy)
                re += (tx * sx) + (ty * sy);
                im += (ty * sx) - (tx * sy);
                norm += (sx * sx) + (sy * sy);
            }

            if (norm < 1e-12)
            {
                throw new ArgumentException("The source points coincide; no similarity transform is defined.", nameof(source));
            }

            var a = re / norm;
            var b = im / norm;
            // x' = a x - b y + c ; y' = b x + a y + f
            return new Affine2D(a, -b, wx - ((a * zx) - (b * zy)), b, a, wy - ((b * zx) + (a * zy)));
        }
    }
}
