using System;
using System.Globalization;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// A 2-D affine map (x', y') = (A x + B y + C, D x + E y + F), the 2x3 matrix OpenCV's warpAffine takes.
    /// </summary>
    public readonly struct Affine2D
    {
        public Affine2D(double a, double b, double c, double d, double e, double f)
        {
            A = a; B = b; C = c; D = d; E = e; F = f;
        }

        public double A { get; }
        public double B { get; }
        public double C { get; }
        public double D { get; }
        public double E { get; }
        public double F { get; }

        /// <summary>The uniform scale of a similarity transform (sqrt of the determinant).</summary>
        public double Scale => Math.Sqrt(Math.Abs((A * E) - (B * D)));

        /// <summary>The rotation of a similarity transform, in degrees (counter-clockwise on screen is negative).</summary>
        public double RotationDegrees => Math.Atan2(D, A) * 180.0 / Math.PI;

        public void Apply(double x, double y, out double tx, out double ty)
        {
            tx = (A * x) + (B * y) + C;
            ty = (D * x) + (E * y) + F;
        }

        public Affine2D Invert()
        {
            var det = (A * E) - (B * D);
            if (Math.Abs(det) < 1e-12) { throw new InvalidOperationException("The transform is singular and has no inverse."); }
            var ia = E / det;
            var ib = -B / det;
            var id = -D / det;
            var ie = A / det;
            return new Affine2D(ia, ib, -((ia * C) + (ib * F)), id, ie, -((id * C) + (ie * F)));
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "[{0:G6} {1:G6} {2:G6}; {3:G6} {4:G6} {5:G6}]", A, B, C, D, E, F);
    }
}
