using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// libjpeg's "islow" integer inverse DCT (jidctint.c jpeg_idct_islow) for <see cref="JpegRegionDecoder"/>:
    /// dequantise one 8x8 block, transform it and write its range-limited samples.
    /// </summary>
    internal static class JpegIdct
    {
        // jidctint.c's post-IDCT range limit: index (value & 1023), value centred on 0.
        private static readonly byte[] IdctLimit = BuildIdctLimit();

        // jidctint.c jpeg_idct_islow, CONST_BITS 13, PASS1_BITS 2, with its zero-AC shortcuts (exact).
        private const int ConstBits = 13, Pass1Bits = 2;
        private const long F0298631336 = 2446, F0390180644 = 3196, F0541196100 = 4433, F0765366865 = 6270, F0899976223 = 7373,
            F1175875602 = 9633, F1501321110 = 12299, F1847759065 = 15137, F1961570560 = 16069, F2053119869 = 16819,
            F2562915447 = 20995, F3072711026 = 25172;

        [MethodImpl(JpegRegionDecoder.Hot)]
        internal static unsafe void IdctIslow(int[] coefArray, int[] quantArray, int[] wsArray, byte[] outputArray, int offset, int stride)
        {
            fixed (int* coef = coefArray)
            fixed (int* quant = quantArray)
            fixed (int* ws = wsArray)
            fixed (byte* output = outputArray)
            fixed (byte* limit = IdctLimit)
            {
                for (var col = 0; col < 8; col++)
                {
                    var c = coef + col;
                    var q = quant + col;
                    if (c[8] == 0 && c[16] == 0 && c[24] == 0 && c[32] == 0 && c[40] == 0 && c[48] == 0 && c[56] == 0)
                    {
                        var dcval = (c[0] * q[0]) << Pass1Bits;
                        for (var r = 0; r < 64; r += 8) { ws[r + col] = dcval; }
                        continue;
                    }

                    long z2 = c[16] * q[16];
                    long z3 = c[48] * q[48];
                    var z1 = (z2 + z3) * F0541196100;
                    var tmp2 = z1 + (z3 * -F1847759065);
                    var tmp3 = z1 + (z2 * F0765366865);
                    z2 = c[0] * q[0];
                    z3 = c[32] * q[32];
                    var tmp0 = (z2 + z3) << ConstBits;
                    var tmp1 = (z2 - z3) << ConstBits;
                    var tmp10 = tmp0 + tmp3;
                    var tmp13 = tmp0 - tmp3;
                    var tmp11 = tmp1 + tmp2;
                    var tmp12 = tmp1 - tmp2;
                    Odd(c[56] * q[56], c[40] * q[40], c[24] * q[24], c[8] * q[8], out tmp0, out tmp1, out tmp2, out tmp3);

                    const int Shift1 = ConstBits - Pass1Bits;
                    const long Round1 = 1L << (Shift1 - 1);
                    var w = ws + col;
                    w[0] = (int)((tmp10 + tmp3 + Round1) >> Shift1);
                    w[56] = (int)((tmp10 - tmp3 + Round1) >> Shift1);
                    w[8] = (int)((tmp11 + tmp2 + Round1) >> Shift1);
                    w[48] = (int)((tmp11 - tmp2 + Round1) >> Shift1);
                    w[16] = (int)((tmp12 + tmp1 + Round1) >> Shift1);
                    w[40] = (int)((tmp12 - tmp1 + Round1) >> Shift1);
                    w[24] = (int)((tmp13 + tmp0 + Round1) >> Shift1);
                    w[32] = (int)((tmp13 - tmp0 + Round1) >> Shift1);
                }

                for (var row = 0; row < 8; row++)
                {
                    var w = ws + (row * 8);
                    var o = output + offset + (row * stride);
                    const int Shift2 = ConstBits + Pass1Bits + 3;
                    const long Round2 = 1L << (Shift2 - 1);
                    if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
                    {
                        var dcval = limit[(int)(((long)w[0] + (1L << (Pass1Bits + 2))) >> (Pass1Bits + 3)) & 1023];
                        for (var i = 0; i < 8; i++) { o[i] = dcval; }
                        continue;
                    }

                    long z2 = w[2];
                    long z3 = w[6];
                    var z1 = (z2 + z3) * F0541196100;
                    var tmp2 = z1 + (z3 * -F1847759065);
                    var tmp3 = z1 + (z2 * F0765366865);
                    var tmp0 = ((long)w[0] + w[4]) << ConstBits;
                    var tmp1 = ((long)w[0] - w[4]) << ConstBits;
                    var tmp10 = tmp0 + tmp3;
                    var tmp13 = tmp0 - tmp3;
                    var tmp11 = tmp1 + tmp2;
                    var tmp12 = tmp1 - tmp2;
                    Odd(w[7], w[5], w[3], w[1], out tmp0, out tmp1, out tmp2, out tmp3);

                    o[0] = limit[(int)((tmp10 + tmp3 + Round2) >> Shift2) & 1023];
                    o[7] = limit[(int)((tmp10 - tmp3 + Round2) >> Shift2) & 1023];
                    o[1] = limit[(int)((tmp11 + tmp2 + Round2) >> Shift2) & 1023];
                    o[6] = limit[(int)((tmp11 - tmp2 + Round2) >> Shift2) & 1023];
                    o[2] = limit[(int)((tmp12 + tmp1 + Round2) >> Shift2) & 1023];
                    o[5] = limit[(int)((tmp12 - tmp1 + Round2) >> Shift2) & 1023];
                    o[3] = limit[(int)((tmp13 + tmp0 + Round2) >> Shift2) & 1023];
                    o[4] = limit[(int)((tmp13 - tmp0 + Round2) >> Shift2) & 1023];
                }
            }
        }

        // The odd part (figure 8 of the IJG notes); the inputs are y7, y5, y3, y1.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Odd(long i0, long i1, long i2, long i3, out long t0, out long t1, out long t2, out long t3)
        {
            var a1 = i0 + i3;
            var a2 = i1 + i2;
            var a3 = i0 + i2;
            var a4 = i1 + i3;
            var a5 = (a3 + a4) * F1175875602;
            a1 *= -F0899976223;
            a2 *= -F2562915447;
            a3 = (a3 * -F1961570560) + a5;
            a4 = (a4 * -F0390180644) + a5;
            t0 = (i0 * F0298631336) + a1 + a3;
            t1 = (i1 * F2053119869) + a2 + a4;
            t2 = (i2 * F3072711026) + a2 + a3;
            t3 = (i3 * F1501321110) + a1 + a4;
        }

        private static byte[] BuildIdctLimit()
        {
            var t = new byte[1024];
            for (var i = 0; i < 1024; i++)
            {
                var v = i < 512 ? i : i - 1024; // the masked value, read back as signed
                var s = v + 128;
                t[i] = (byte)(i >= 512 && i < 896 ? 0 : i >= 128 && i < 512 ? 255 : Math.Max(0, Math.Min(255, s)));
            }

            return t;
        }
    }
}
