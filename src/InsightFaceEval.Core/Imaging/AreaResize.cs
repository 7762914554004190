using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// Downscaling with an area (box) filter, following OpenCV's cv::resize with INTER_AREA for 8-bit
    /// images step by step (imgproc/src/resize.cpp): the same source-cell weights in single precision,
    /// the same accumulation order, the same rounding. Integer factors take OpenCV's "fast area" path
    /// (block mean; 2x2 rounds half up as its SIMD code does), other factors the weighted path.
    /// </summary>
    public static class AreaResize
    {
        // MethodImplOptions.AggressiveOptimization: compiled fully optimised at once (skips tier 0).
        private const MethodImplOptions Hot = (MethodImplOptions)512;

        private struct Alpha
        {
            public int Di;
            public int Si;
            public float Weight;
        }

        /// <summary>
        /// Resizes an interleaved 8-bit image (<paramref name="channels"/> bytes per pixel, rows packed)
        /// to a size no larger than the source on either axis.
        /// </summary>
        public static byte[] Resize(byte[] source, int sourceWidth, int sourceHeight, int channels, int width, int height)
        {
            if (source == null) { throw new ArgumentNullException(nameof(source)); }
            if (channels < 1 || channels > 4) { throw new ArgumentOutOfRangeException(nameof(channels)); }
            if (width < 1 || height < 1 || width > sourceWidth || height > sourceHeight)
            {
                throw new ArgumentOutOfRangeException(nameof(width), $"Area resizing only shrinks: {sourceWidth}x{sourceHeight} to {width}x{height}.");
            }

            if (source.Length < (long)sourceWidth * sourceHeight * channels) { throw new ArgumentException("The buffer is smaller than the image.", nameof(source)); }
            if (width == sourceWidth && height == sourceHeight) { return (byte[])source.Clone(); }

            // cv::resize takes inv_scale = dsize / ssize; hal::resize inverts it again.
            var scaleX = 1.0 / ((double)width / sourceWidth);
            var scaleY = 1.0 / ((double)height / sourceHeight);
            var iscaleX = SaturateRound(scaleX);
            var iscaleY = SaturateRound(scaleY);
            var fast = Math.Abs(scaleX - iscaleX) < DoubleEpsilon && Math.Abs(scaleY - iscaleY) < DoubleEpsilon;
            return fast
                ? ResizeFast(source, sourceWidth, channels, width, height, iscaleX, iscaleY)
                : ResizeWeighted(source, sourceWidth, sourceHeight, channels, width, height, scaleX, scaleY);
        }

        // C's DBL_EPSILON (double.Epsilon in .NET is the smallest subnormal, not this).
        private const double DoubleEpsilon = 2.220446049250313e-16;

        private static int SaturateRound(double v) => (int)Math.Round(v, MidpointRounding.ToEven);

        private static byte SaturateByte(float v)
        {
            // saturate_cast<uchar>(float): cvRound (round half to even), then clamp.
            var r = (int)Math.Round(v, MidpointRounding.ToEven);
            return (byte)(r < 0 ? 0 : r > 255 ? 255 : r);
        }

        [MethodImpl(Hot)]
        private static byte[] ResizeFast(byte[] src, int sw, int cn, int dw, int dh, int sx, int sy)
        {
            var dst = new byte[dw * dh * cn];
            var sstep = sw * cn;
            var area = sx * sy;
            var scale = 1f / area;
            var twoByTwo = sx == 2 && sy == 2;
            for (var dy = 0; dy < dh; dy++)
            {
                var srow = dy * sy * sstep;
                var drow = dy * dw * cn;
                for (var dx = 0; dx < dw; dx++)
                {
                    var sbase = srow + (dx * sx * cn);
                    for (var c = 0; c < cn; c++)
                    {
                        var sum = 0;
                        for (var yy = 0; yy < sy; yy++)
                        {
                            var p = sbase + (yy * sstep) + c;
                            for (var xx = 0; xx < sx; xx++) { sum += src[p + (xx * cn)]; }
                        }

                        dst[drow + (dx * cn) + c] = twoByTwo ? (byte)((sum + 2) >> 2) : SaturateByte(sum * scale);
                    }
                }
            }

            return dst;
        }

        // computeResizeAreaTab: the source cells each destination cell covers, with their weights.
        private static Alpha[] ComputeTable(int ssize, int dsize, int cn, double scale, out int count)
        {
            var tab = new Alpha[ssize * 2];
            var k = 0;
            for (var dx = 0; dx < dsize; dx++)
            {
                var fsx1 = dx * scale;
                var fsx2 = fsx1 + scale;
                var cellWidth = Math.Min(scale, ssize - fsx1);
                var sx1 = (int)Math.Ceiling(fsx1);
                var sx2 = (int)Math.Floor(fsx2);
                sx2 = Math.Min(sx2, ssize - 1);
                sx1 = Math.Min(sx1, sx2);

                if (sx1 - fsx1 > 1e-3)
                {
                    tab[k++] = new Alpha { Di = dx * cn, Si = (sx1 - 1) * cn, Weight = (float)((sx1 - fsx1) / cellWidth) };
                }

                for (var sx = sx1; sx < sx2; sx++)
                {
                    tab[k++] = new Alpha { Di = dx * cn, Si = sx * cn, Weight = (float)(1.0 / cellWidth) };
                }

                if (fsx2 - sx2 > 1e-3)
                {
                    tab[k++] = new Alpha { Di = dx * cn, Si = sx2 * cn, Weight = (float)(Math.Min(Math.Min(fsx2 - sx2, 1.0), cellWidth) / cellWidth) };
                }
            }

            count = k;
            return tab;
        }

        // buf[d] += S[s] * alpha over the horizontal table, in table order (the order fixes the float sums).
        [MethodImpl(Hot)]
        private static unsafe void AccumulateRow(byte[] src, int srow, Alpha[] xtab, int xcount, int cn, float[] buf)
        {
            fixed (byte* s0 = &src[srow])
            fixed (Alpha* tab = xtab)
            fixed (float* b = buf)
            {
                if (cn == 3)
                {
                    for (var k = 0; k < xcount; k++)
                    {
                        var s = s0 + tab[k].Si;
                        var d = b + tab[k].Di;
                        var alpha = tab[k].Weight;
                        var t0 = d[0] + (s[0] * alpha);
                        var t1 = d[1] + (s[1] * alpha);
                        var t2 = d[2] + (s[2] * alpha);
                        d[0] = t0;
                        d[1] = t1;
                        d[2] = t2;
                    }

                    return;
                }

                for (var k = 0; k < xcount; k++)
                {
                    var s = s0 + tab[k].Si;
                    var d = b + tab[k].Di;
                    var alpha = tab[k].Weight;
                    for (var c = 0; c < cn; c++) { d[c] = d[c] + (s[c] * alpha); }
                }
            }
        }

        [MethodImpl(Hot)]
        private static byte[] ResizeWeighted(byte[] src, int sw, int sh, int cn, int dw, int dh, double scaleX, double scaleY)
        {
            var xtab = ComputeTable(sw, dw, cn, scaleX, out var xcount);
            var ytab = ComputeTable(sh, dh, 1, scaleY, out var ycount);
            var width = dw * cn;
            var dst = new byte[width * dh];
            var buf = new float[width];
            var sum = new float[width];
            var sstep = sw * cn;
            var prevDy = ytab[0].Di;

            for (var j = 0; j < ycount; j++)
            {
                var beta = ytab[j].Weight;
                var dy = ytab[j].Di;
                var srow = ytab[j].Si * sstep;
                Array.Clear(buf, 0, width);
                AccumulateRow(src, srow, xtab, xcount, cn, buf);

                if (dy != prevDy)
                {
                    var d = prevDy * width;
                    for (var dx = 0; dx < width; dx++)
                    {
                        dst[d + dx] = SaturateByte(sum[dx]);
                        sum[dx] = beta * buf[dx];
                    }

                    prevDy = dy;
                }
                else
                {
                    for (var dx = 0; dx < width; dx++) { sum[dx] += beta * buf[dx]; }
                }
            }

            var last = prevDy * width;
            for (var dx = 0; dx < width; dx++) { dst[last + dx] = SaturateByte(sum[dx]); }
            return dst;
        }
    }
}
