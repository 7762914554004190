using System;
using System.Linq;
using InsightFaceEval.Faces;
using Xunit;

namespace InsightFaceEval.Tests.Faces
{
    public class GeometryTests
    {
        private static float[] Apply(Affine2D m, float[] points)
        {
            var result = new float[points.Length];
            for (var i = 0; i < points.Length; i += 2)
            {
                m.Apply(points[i], points[i + 1], out var x, out var y);
                result[i] = (float)x;
                result[i + 1] = (float)y;
            }

            return result;
        }

        private static double SumSquaredError(Affine2D m, float[] source, float[] target) =>
            Enumerable.Range(0, source.Length / 2).Sum(i =>
            {
                m.Apply(source[2 * i], source[(2 * i) + 1], out var x, out var y);
                return Math.Pow(x - target[2 * i], 2) + Math.Pow(y - target[(2 * i) + 1], 2);
            });

        [Fact]
        public void SimilarityRecoversAKnownRotationScaleAndShift()
        {
            var angle = 17.0 * Math.PI / 180.0;
            var scale = 1.7;
            var known = new Affine2D(scale * Math.Cos(angle), -scale * Math.Sin(angle), 40, scale * Math.Sin(angle), scale * Math.Cos(angle), -12);
            var source = ArcFaceTemplate.For(112);
            var target = Apply(known, source);

            var estimate = SimilarityTransform.Estimate(source, target);

            Assert.Equal(known.A, estimate.A, 4);
            Assert.Equal(known.B, estimate.B, 4);
            Assert.Equal(known.C, estimate.C, 3);
            Assert.Equal(known.D, estimate.D, 4);
            Assert.Equal(known.E, estimate.E, 4);
            Assert.Equal(known.F, estimate.F, 3);
            Assert.Equal(1.7, estimate.Scale, 4);
            Assert.Equal(17.0, estimate.RotationDegrees, 3);
        }

        [Fact]
        public void SimilarityIsTheLeastSquaresFitForNoisyPoints()
        {
            // Landmarks of a real face never match the template exactly: any nudge of the estimate must fit worse.
            var source = new float[] { 436.98f, 453.35f, 513.61f, 455.70f, 468.2f, 498.1f, 440.5f, 540.9f, 507.3f, 545.2f };
            var target = ArcFaceTemplate.For(112);
            var best = SimilarityTransform.Estimate(source, target);
            var bestError = SumSquaredError(best, source, target);
            var rng = new Random(7);
            for (var trial = 0; trial < 200; trial++)
            {
                double Nudge(double v, double size) => v + ((rng.NextDouble() - 0.5) * size);
                var da = Nudge(0, 0.01);
                var db = Nudge(0, 0.01);
                // Nudging within the similarity family keeps A == E and B == -D.
                var other = new Affine2D(best.A + da, best.B - db, Nudge(best.C, 1), best.D + db, best.E + da, Nudge(best.F, 1));
                Assert.True(SumSquaredError(other, source, target) >= bestError - 1e-6);
            }
        }

        [Fact]
        public void SimilarityNeverMirrors()
        {
            // A horizontally mirrored face must be rotated, not reflected, onto the template.
            var template = ArcFaceTemplate.For(112);
            var mirrored = template.Select((v, i) => i % 2 == 0 ? 200 - v : v).ToArray();
            var m = SimilarityTransform.Estimate(mirrored, template);
            Assert.True((m.A * m.E) - (m.B * m.D) > 0);
        }

        [Fact]
        public void TemplateScalesLikeInsightFace()
        {
            var t112 = ArcFaceTemplate.For(112);
            Assert.Equal(38.2946f, t112[0], 4);
            Assert.Equal(92.2041f, t112[9], 4);
            var t224 = ArcFaceTemplate.For(224);
            Assert.Equal(2 * 73.5318f, t224[2], 3);
            var t128 = ArcFaceTemplate.For(128);
            Assert.Equal(38.2946f + 8f, t128[0], 3);
            Assert.Equal(51.6963f, t128[1], 3);
        }

        [Fact]
        public void AlignmentPutsTheLandmarksOnTheTemplate()
        {
            // A synthetic image with a bright dot at each of five landmarks, placed by a known similarity
            // (rotated 25 degrees, 2.3x): after alignment each dot must sit on its template point.
            var template = ArcFaceTemplate.For(112);
            var angle = 25.0 * Math.PI / 180.0;
            var placement = new Affine2D(2.3 * Math.Cos(angle), -2.3 * Math.Sin(angle), 150, 2.3 * Math.Sin(angle), 2.3 * Math.Cos(angle), 60);
            var landmarks = Apply(placement, template);
            const int w = 500, h = 460;
            var pixels = new byte[w * h * 3];
            for (var k = 0; k < 5; k++)
            {
                for (var dy = -3; dy <= 3; dy++)
                {
                    for (var dx = -3; dx <= 3; dx++)
                    {
                        var x = (int)Math.Round(landmarks[2 * k]) + dx;
                        var y = (int)Math.Round(landmarks[(2 * k) + 1]) + dy;
                        pixels[((y * w) + x) * 3] = 255;
                    }
                }
            }

            var aligned = FaceAlignment.Align(new RgbImage(w, h, pixels), landmarks, 112);
            Assert.Equal(112, aligned.Width);
            for (var k = 0; k < 5; k++)
            {
                // Brightness-weighted centre of the dot nearest this template point.
                double sx = 0, sy = 0, sum = 0;
                for (var y = (int)template[(2 * k) + 1] - 6; y <= (int)template[(2 * k) + 1] + 6; y++)
                {
                    for (var x = (int)template[2 * k] - 6; x <= (int)template[2 * k] + 6; x++)
                    {
                        double v = aligned.Pixels[((y * 112) + x) * 3];
                        sx += v * x; sy += v * y; sum += v;
                    }
                }

                Assert.True(sum > 0, $"landmark {k} vanished");
                Assert.InRange(sx / sum, template[2 * k] - 0.6, template[2 * k] + 0.6);
                Assert.InRange(sy / sum, template[(2 * k) + 1] - 0.6, template[(2 * k) + 1] + 0.6);
            }
        }

        [Fact]
        public void AffineInverseUndoesTheTransform()
        {
            var m = new Affine2D(1.2, -0.4, 10, 0.4, 1.2, -3);
            m.Invert().Apply(7, 9, out var x, out var y);
            m.Apply(x, y, out var bx, out var by);
            Assert.Equal(7, bx, 9);
            Assert.Equal(9, by, 9);
        }

        [Fact]
        public void FivePointsComeFromTheEyelidsNoseTipAndMouthCorners()
        {
            var points = new float[136];
            for (var i = 0; i < 68; i++) { points[2 * i] = i; points[(2 * i) + 1] = 1000 + i; }
            var five = FaceLandmarks.FiveFrom68(points);
            Assert.Equal(new float[] { 39f, 1039f, 45f, 1045f, 30f, 1030f, 54f, 1054f, 59f, 1059f }, five);
        }
    }
}
