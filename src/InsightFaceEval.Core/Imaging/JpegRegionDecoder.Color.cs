using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Imaging
{
    // Colour for JpegRegionDecoder: libjpeg's "fancy" chroma upsampling and its YCbCr to RGB tables (jdsample.c, jdcolor.c).
    internal sealed partial class JpegRegionDecoder
    {
        private static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

        static JpegRegionDecoder()
        {
            // jdcolor.c build_ycc_rgb_table, SCALEBITS 16.
            const int OneHalf = 1 << 15;
            long Fix(double x) => (long)((x * (1L << 16)) + 0.5);
            for (int i = 0, x = -128; i < 256; i++, x++)
            {
                CrR[i] = (int)((Fix(1.40200) * x + OneHalf) >> 16);
                CbB[i] = (int)((Fix(1.77200) * x + OneHalf) >> 16);
                CrG[i] = (int)(-Fix(0.71414) * x);
                CbG[i] = (int)((-Fix(0.34414) * x) + OneHalf);
            }
        }

        private byte Sample(Component c, int x, int y) => c.Plane[((y - (c.By0 * 8)) * c.Stride) + (x - (c.Bx0 * 8))];

        private byte[] ConvertGray(PixelRect rect)
        {
            var c = _components[0];
            int w = (int)rect.Width, h = (int)rect.Height;
            var rgb = new byte[w * h * 3];
            var o = 0;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var v = Sample(c, (int)rect.Left + x, (int)rect.Top + y);
                    rgb[o++] = v;
                    rgb[o++] = v;
                    rgb[o++] = v;
                }
            }

            return rgb;
        }

        [MethodImpl(Hot)]
        private unsafe byte[] ConvertYcc(PixelRect rect)
        {
            int w = (int)rect.Width, h = (int)rect.Height;
            int x0 = (int)rect.Left, y0 = (int)rect.Top;
            var luma = _components[0];
            var cbRow = new int[w];
            var crRow = new int[w];
            var rgb = new byte[w * h * 3];
            fixed (byte* outBase = rgb)
            fixed (byte* lumaPlane = luma.Plane)
            fixed (int* cbp = cbRow)
            fixed (int* crp = crRow)
            fixed (int* crR = CrR)
            fixed (int* cbB = CbB)
            fixed (int* crG = CrG)
            fixed (int* cbG = CbG)
            {
                var o = outBase;
                for (var y = 0; y < h; y++)
                {
                    Chroma(_components[1], y0 + y, x0, w, cbRow);
                    Chroma(_components[2], y0 + y, x0, w, crRow);
                    var l = lumaPlane + ((y0 + y - (luma.By0 * 8)) * luma.Stride) - (luma.Bx0 * 8) + x0;
                    for (var x = 0; x < w; x++)
                    {
                        int yy = l[x];
                        var cb = cbp[x];
                        var cr = crp[x];
                        o[0] = Clamp(yy + crR[cr]);
                        o[1] = Clamp(yy + ((cbG[cb] + crG[cr]) >> 16));
                        o[2] = Clamp(yy + cbB[cb]);
                        o += 3;
                    }
                }
            }

            return rgb;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

        // One output row of a chroma component at full resolution, as jdsample.c's fancy upsamplers make it.
        [MethodImpl(Hot)]
        private void Chroma(Component c, int y, int x0, int w, int[] row)
        {
            var sx = _hmax / c.H;
            var sy = _vmax / c.V;
            var last = c.DownWidth - 1;
            if (sy == 1 && sx == 1)
            {
                for (var x = 0; x < w; x++) { row[x] = Sample(c, x0 + x, y); }
                return;
            }

            if (sy == 1)
            {
                // h2v1_fancy_upsample: 3/4 nearer + 1/4 further sample, rounding 1 (left) and 2 (right).
                var prow = ((y - (c.By0 * 8)) * c.Stride) - (c.Bx0 * 8);
                for (var x = 0; x < w; x++)
                {
                    var X = x0 + x;
                    var cc = X >> 1;
                    int near = c.Plane[prow + cc];
                    if ((X & 1) == 0) { row[x] = cc == 0 ? near : ((near * 3) + c.Plane[prow + cc - 1] + 1) >> 2; }
                    else { row[x] = cc == last ? near : ((near * 3) + c.Plane[prow + cc + 1] + 2) >> 2; }
                }

                return;
            }

            // h2v2_fancy_upsample: column sums of 3 * nearer row + further row, then 3/4 + 1/4 across.
            var r = y >> 1;
            var far = (y & 1) == 0 ? Math.Max(0, r - 1) : Math.Min(c.DownHeight - 1, r + 1);
            var nrow = ((r - (c.By0 * 8)) * c.Stride) - (c.Bx0 * 8);
            var frow = ((far - (c.By0 * 8)) * c.Stride) - (c.Bx0 * 8);
            var first = Math.Max(0, (x0 >> 1) - 1);
            var lastNeeded = Math.Min(last, ((x0 + w - 1) >> 1) + 1);
            var sums = _columnSums.Length >= lastNeeded - first + 1 ? _columnSums : (_columnSums = new int[lastNeeded - first + 1]);
            var plane = c.Plane;
            for (var cc = first; cc <= lastNeeded; cc++) { sums[cc - first] = (plane[nrow + cc] * 3) + plane[frow + cc]; }
            for (var x = 0; x < w; x++)
            {
                var X = x0 + x;
                var cc = X >> 1;
                var sum = sums[cc - first];
                if ((X & 1) == 0)
                {
                    row[x] = cc == 0 ? ((sum * 4) + 8) >> 4 : ((sum * 3) + sums[cc - 1 - first] + 8) >> 4;
                }
                else
                {
                    row[x] = cc == last ? ((sum * 4) + 7) >> 4 : ((sum * 3) + sums[cc + 1 - first] + 7) >> 4;
                }
            }
        }

        private int[] _columnSums = Array.Empty<int>();
    }
}
