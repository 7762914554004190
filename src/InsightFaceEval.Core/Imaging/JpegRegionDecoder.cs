using System;
using System.Runtime.CompilerServices;

namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// Decodes one rectangle of a baseline JPEG, and only what that rectangle needs: entropy decoding
    /// stops after the last MCU row the rectangle touches, and only the blocks it (and the chroma
    /// upsampling around it) touches are inverse-transformed. The arithmetic is libjpeg's defaults, as
    /// cv2.imread uses them (libjpeg-turbo): the "islow" integer IDCT (jidctint.c), "fancy" triangle
    /// upsampling of 2x1 and 2x2 chroma (jdsample.c) and the YCbCr tables of jdcolor.c, so its pixels are
    /// those cv2.imread gives. Anything else (progressive, arithmetic coding, 12-bit, CMYK, RGB JPEGs,
    /// other subsampling, several scans, damaged data) is declined, and the caller decodes the whole
    /// image with ImageSharp instead.
    /// </summary>
    internal sealed class JpegRegionDecoder
    {
        private const MethodImplOptions Hot = (MethodImplOptions)512; // AggressiveOptimization

        private static readonly int[] ZigZag =
        {
            0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
            28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
            54, 47, 55, 62, 63,
            63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, // guards for corrupt run lengths
        };

        // jidctint.c's post-IDCT range limit: index (value & 1023), value centred on 0.
        private static readonly byte[] IdctLimit = BuildIdctLimit();
        private static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

        private readonly byte[] _data;
        private readonly Component[] _components;
        private readonly int[][] _quant = new int[4][];
        private readonly Huffman[] _dcTables = new Huffman[4];
        private readonly Huffman[] _acTables = new Huffman[4];
        private int _restartInterval;
        private int _scanStart;
        private int _hmax = 1, _vmax = 1;

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

        private JpegRegionDecoder(byte[] data, Component[] components)
        {
            _data = data;
            _components = components;
        }

        public int Width { get; private set; }

        public int Height { get; private set; }

        private sealed class Component
        {
            public int Id;
            public int H;
            public int V;
            public int Tq;
            public int Td;
            public int Ta;
            public int DownWidth;
            public int DownHeight;
            public int Pred;

            // The decoded window: samples of blocks [Bx0, Bx0 + Bw) x [By0, By0 + Bh).
            public byte[] Plane;
            public int Bx0;
            public int By0;
            public int Stride;
        }

        private sealed class Huffman
        {
            public readonly int[] MaxCode = new int[18];
            public readonly int[] ValOffset = new int[17];
            public readonly byte[] Values = new byte[256];
            public readonly short[] Lookup = new short[512]; // (length << 8) | value for codes of up to 9 bits, else 0
        }

        /// <summary>A decoder for <paramref name="data"/>, or null when it is not a JPEG this class decodes.</summary>
        public static JpegRegionDecoder TryCreate(byte[] data)
        {
            try
            {
                return Parse(data);
            }
            catch (Exception ex) when (ex is IndexOutOfRangeException || ex is ArgumentException || ex is InvalidOperationException)
            {
                return null;
            }
        }

        private static JpegRegionDecoder Parse(byte[] d)
        {
            if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) { return null; }
            var pos = 2;
            JpegRegionDecoder decoder = null;
            var quant = new int[4][];
            var dc = new Huffman[4];
            var ac = new Huffman[4];
            var restart = 0;
            bool jfif = false, adobe = false;
            var adobeTransform = -1;
            while (pos + 4 <= d.Length)
            {
                if (d[pos] != 0xFF) { return null; }
                var marker = d[pos + 1];
                if (marker == 0xFF) { pos++; continue; }
                pos += 2;
                if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { continue; }
                if (marker == 0xD9) { return null; }
                var length = (d[pos] << 8) | d[pos + 1];
                var end = pos + length;
                if (length < 2 || end > d.Length) { return null; }
                var p = pos + 2;
                switch (marker)
                {
                    case 0xC0:
                    case 0xC1:
                        {
                            if (decoder != null || d[p] != 8) { return null; }
                            var height = (d[p + 1] << 8) | d[p + 2];
                            var width = (d[p + 3] << 8) | d[p + 4];
                            var n = d[p + 5];
                            if (height == 0 || width == 0 || (n != 1 && n != 3)) { return null; }
                            var comps = new Component[n];
                            for (var i = 0; i < n; i++)
                            {
                                var q = p + 6 + (i * 3);
                                comps[i] = new Component { Id = d[q], H = d[q + 1] >> 4, V = d[q + 1] & 15, Tq = d[q + 2] };
                                if (comps[i].H < 1 || comps[i].V < 1 || comps[i].H > 4 || comps[i].V > 4 || comps[i].Tq > 3) { return null; }
                            }

                            decoder = new JpegRegionDecoder(d, comps) { Width = width, Height = height };
                            break;
                        }

                    case 0xC4:
                        while (p < end)
                        {
                            var tc = d[p] >> 4;
                            var th = d[p] & 15;
                            if (tc > 1 || th > 3) { return null; }
                            var table = new Huffman();
                            var counts = new int[17];
                            var total = 0;
                            for (var i = 1; i <= 16; i++) { counts[i] = d[p + i]; total += counts[i]; }
                            if (total > 256 || p + 17 + total > end) { return null; }
                            Array.Copy(d, p + 17, table.Values, 0, total);
                            if (!Build(table, counts)) { return null; }
                            (tc == 0 ? dc : ac)[th] = table;
                            p += 17 + total;
                        }

                        break;
                    case 0xDB:
                        while (p < end)
                        {
                            var pq = d[p] >> 4;
                            var tq = d[p] & 15;
                            if (pq > 1 || tq > 3) { return null; }
                            var table = new int[64];
                            p++;
                            for (var i = 0; i < 64; i++)
                            {
                                table[ZigZag[i]] = pq == 0 ? d[p + i] : (d[p + (2 * i)] << 8) | d[p + (2 * i) + 1];
                            }

                            quant[tq] = table;
                            p += pq == 0 ? 64 : 128;
                        }

                        break;
                    case 0xDD:
                        restart = (d[p] << 8) | d[p + 1];
                        break;
                    case 0xE0:
                        if (length >= 7 && d[p] == 'J' && d[p + 1] == 'F' && d[p + 2] == 'I' && d[p + 3] == 'F' && d[p + 4] == 0) { jfif = true; }
                        break;
                    case 0xEE:
                        if (length >= 14 && d[p] == 'A' && d[p + 1] == 'd' && d[p + 2] == 'o' && d[p + 3] == 'b' && d[p + 4] == 'e')
                        {
                            adobe = true;
                            adobeTransform = d[p + 11];
                        }

                        break;
                    case 0xDA:
                        {
                            if (decoder == null) { return null; }
                            var ns = d[p];
                            if (ns != decoder._components.Length) { return null; }
                            for (var i = 0; i < ns; i++)
                            {
                                var id = d[p + 1 + (i * 2)];
                                var tables = d[p + 2 + (i * 2)];
                                var comp = Array.Find(decoder._components, c => c.Id == id);
                                if (comp == null || comp != decoder._components[i]) { return null; }
                                comp.Td = tables >> 4;
                                comp.Ta = tables & 15;
                                if (comp.Td > 3 || comp.Ta > 3 || dc[comp.Td] == null || ac[comp.Ta] == null || quant[comp.Tq] == null) { return null; }
                            }

                            var q = p + 1 + (ns * 2);
                            if (d[q] != 0 || d[q + 1] != 63 || d[q + 2] != 0) { return null; }
                            decoder._scanStart = end;
                            decoder._restartInterval = restart;
                            Array.Copy(quant, decoder._quant, 4);
                            Array.Copy(dc, decoder._dcTables, 4);
                            Array.Copy(ac, decoder._acTables, 4);
                            return decoder.Prepare(jfif, adobe, adobeTransform) ? decoder : null;
                        }

                    default:
                        // Progressive, lossless, hierarchical and arithmetic-coded frames, DNL, and anything unknown.
                        if ((marker >= 0xC2 && marker <= 0xCF) || marker == 0xDC) { return null; }
                        break;
                }

                pos = end;
            }

            return null;
        }

        private bool Prepare(bool jfif, bool adobe, int adobeTransform)
        {
            var comps = _components;
            if (comps.Length == 3)
            {
                // libjpeg's colour-space guess (jdapimin.c): only YCbCr is decoded here.
                if (!jfif && adobe && adobeTransform == 0) { return false; }
                if (!jfif && !adobe && comps[0].Id == 'R' && comps[1].Id == 'G' && comps[2].Id == 'B') { return false; }
                if (comps[1].H != 1 || comps[1].V != 1 || comps[2].H != 1 || comps[2].V != 1) { return false; }
                var h = comps[0].H;
                var v = comps[0].V;
                if (!((h == 1 && v == 1) || (h == 2 && v == 1) || (h == 2 && v == 2))) { return false; }
                _hmax = h;
                _vmax = v;
            }
            else
            {
                // One component: one block per MCU, whatever the declared factors.
                comps[0].H = comps[0].V = 1;
            }

            foreach (var c in comps)
            {
                c.DownWidth = (int)(((long)Width * c.H + _hmax - 1) / _hmax);
                c.DownHeight = (int)(((long)Height * c.V + _vmax - 1) / _vmax);

                // libjpeg uses plain replication, not the triangle filter, for chroma only two samples wide.
                if ((c.H < _hmax) && c.DownWidth <= 2) { return false; }
            }

            return true;
        }

        private static bool Build(Huffman t, int[] counts)
        {
            var code = 0;
            var k = 0;
            for (var length = 1; length <= 16; length++)
            {
                t.ValOffset[length] = k - code;
                if (counts[length] > 0)
                {
                    for (var i = 0; i < counts[length]; i++)
                    {
                        if (length <= 9)
                        {
                            var shift = 9 - length;
                            var first = code << shift;
                            for (var j = 0; j < (1 << shift); j++)
                            {
                                if (first + j >= 512) { return false; }
                                t.Lookup[first + j] = (short)((length << 8) | t.Values[k]);
                            }
                        }

                        code++;
                        k++;
                    }

                    t.MaxCode[length] = code - 1;
                }
                else
                {
                    t.MaxCode[length] = -1;
                }

                if (code > (1 << length)) { return false; }
                code <<= 1;
            }

            t.MaxCode[17] = int.MaxValue;
            return true;
        }

        /// <summary>
        /// Decodes the stored-image rectangle to packed RGB rows. False when the data turns out to be damaged
        /// (the caller then decodes with ImageSharp, which reports the problem).
        /// </summary>
        public bool TryDecode(PixelRect rect, out byte[] rgb)
        {
            rgb = null;
            if (rect.Left < 0 || rect.Top < 0 || rect.Right > Width || rect.Bottom > Height || rect.Width <= 0 || rect.Height <= 0) { return false; }
            try
            {
                if (!DecodeBlocks(rect)) { return false; }
                rgb = _components.Length == 3 ? ConvertYcc(rect) : ConvertGray(rect);
                return true;
            }
            catch (IndexOutOfRangeException)
            {
                return false;
            }
        }

        [MethodImpl(Hot)]
        private bool DecodeBlocks(PixelRect rect)
        {
            var mcuWidth = 8 * _hmax;
            var mcuHeight = 8 * _vmax;
            var interleaved = _components.Length > 1;
            var mcusPerLine = interleaved ? (Width + mcuWidth - 1) / mcuWidth : (_components[0].DownWidth + 7) / 8;
            var mcuRows = interleaved ? (Height + mcuHeight - 1) / mcuHeight : (_components[0].DownHeight + 7) / 8;

            // The MCU window: every sample of every component that the rectangle's pixels (and their
            // upsampling neighbours) read.
            int mc0 = int.MaxValue, mc1 = -1, mr0 = int.MaxValue, mr1 = -1;
            foreach (var c in _components)
            {
                var sx = _hmax / c.H;
                var sy = _vmax / c.V;
                var cx0 = Math.Max(0, (int)(rect.Left / sx) - (sx - 1));
                var cx1 = Math.Min(c.DownWidth - 1, (int)((rect.Right - 1) / sx) + (sx - 1));
                var cy0 = Math.Max(0, (int)(rect.Top / sy) - (sy - 1));
                var cy1 = Math.Min(c.DownHeight - 1, (int)((rect.Bottom - 1) / sy) + (sy - 1));
                mc0 = Math.Min(mc0, cx0 / (8 * c.H));
                mc1 = Math.Max(mc1, cx1 / (8 * c.H));
                mr0 = Math.Min(mr0, cy0 / (8 * c.V));
                mr1 = Math.Max(mr1, cy1 / (8 * c.V));
            }

            foreach (var c in _components)
            {
                c.Bx0 = mc0 * c.H;
                c.By0 = mr0 * c.V;
                c.Stride = (mc1 - mc0 + 1) * c.H * 8;
                c.Plane = new byte[c.Stride * (mr1 - mr0 + 1) * c.V * 8];
                c.Pred = 0;
            }

            var reader = new BitReader(_data, _scanStart);
            var coefficients = new int[64];
            var workspace = new int[64];
            var restartsLeft = _restartInterval;
            var nextRestart = 0;
            for (var mr = 0; mr <= mr1; mr++)
            {
                var rowWanted = mr >= mr0;
                for (var mc = 0; mc < mcusPerLine; mc++)
                {
                    if (_restartInterval > 0)
                    {
                        if (restartsLeft == 0)
                        {
                            if (!reader.Restart(nextRestart)) { return false; }
                            nextRestart = (nextRestart + 1) & 7;
                            restartsLeft = _restartInterval;
                            foreach (var c in _components) { c.Pred = 0; }
                        }

                        restartsLeft--;
                    }

                    var wanted = rowWanted && mc >= mc0 && mc <= mc1;
                    foreach (var c in _components)
                    {
                        for (var v = 0; v < c.V; v++)
                        {
                            for (var h = 0; h < c.H; h++)
                            {
                                if (!DecodeBlock(ref reader, c, coefficients, wanted)) { return false; }
                                if (wanted)
                                {
                                    var bx = (mc * c.H) + h - c.Bx0;
                                    var by = (mr * c.V) + v - c.By0;
                                    IdctIslow(coefficients, _quant[c.Tq], workspace, c.Plane, (by * 8 * c.Stride) + (bx * 8), c.Stride);
                                }
                            }
                        }
                    }
                }
            }

            return !reader.Damaged;
        }

        [MethodImpl(Hot)]
        private bool DecodeBlock(ref BitReader reader, Component c, int[] block, bool keep)
        {
            var dcTable = _dcTables[c.Td];
            var acTable = _acTables[c.Ta];
            var s = reader.Decode(dcTable);
            if (s < 0 || s > 16) { return false; }
            var diff = s == 0 ? 0 : Extend(reader.Bits(s), s);
            c.Pred += diff;
            if (keep)
            {
                Array.Clear(block, 0, 64);
                block[0] = c.Pred;
            }

            for (var k = 1; k < 64;)
            {
                var rs = reader.Decode(acTable);
                if (rs < 0) { return false; }
                var r = rs >> 4;
                s = rs & 15;
                if (s == 0)
                {
                    if (r != 15) { break; }
                    k += 16;
                    continue;
                }

                k += r;
                var value = Extend(reader.Bits(s), s);
                if (k > 63) { return false; }
                if (keep) { block[ZigZag[k]] = value; }
                k++;
            }

            return true;
        }

        private static int Extend(int v, int s) => v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;

        // jidctint.c jpeg_idct_islow, CONST_BITS 13, PASS1_BITS 2, with its zero-AC shortcuts (exact).
        [MethodImpl(Hot)]
        private static void IdctIslow(int[] coef, int[] quant, int[] ws, byte[] output, int offset, int stride)
        {
            const int ConstBits = 13, Pass1Bits = 2;
            const long F0298631336 = 2446, F0390180644 = 3196, F0541196100 = 4433, F0765366865 = 6270, F0899976223 = 7373,
                F1175875602 = 9633, F1501321110 = 12299, F1847759065 = 15137, F1961570560 = 16069, F2053119869 = 16819,
                F2562915447 = 20995, F3072711026 = 25172;
            for (var col = 0; col < 8; col++)
            {
                if (coef[8 + col] == 0 && coef[16 + col] == 0 && coef[24 + col] == 0 && coef[32 + col] == 0 &&
                    coef[40 + col] == 0 && coef[48 + col] == 0 && coef[56 + col] == 0)
                {
                    var dcval = (coef[col] * quant[col]) << Pass1Bits;
                    for (var r = 0; r < 8; r++) { ws[(r * 8) + col] = dcval; }
                    continue;
                }

                long z2 = coef[16 + col] * quant[16 + col];
                long z3 = coef[48 + col] * quant[48 + col];
                var z1 = (z2 + z3) * F0541196100;
                var tmp2 = z1 + (z3 * -F1847759065);
                var tmp3 = z1 + (z2 * F0765366865);
                z2 = coef[col] * quant[col];
                z3 = coef[32 + col] * quant[32 + col];
                var tmp0 = (z2 + z3) << ConstBits;
                var tmp1 = (z2 - z3) << ConstBits;
                var tmp10 = tmp0 + tmp3;
                var tmp13 = tmp0 - tmp3;
                var tmp11 = tmp1 + tmp2;
                var tmp12 = tmp1 - tmp2;

                tmp0 = coef[56 + col] * quant[56 + col];
                tmp1 = coef[40 + col] * quant[40 + col];
                tmp2 = coef[24 + col] * quant[24 + col];
                tmp3 = coef[8 + col] * quant[8 + col];
                Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

                const int Shift1 = ConstBits - Pass1Bits;
                const long Round1 = 1L << (Shift1 - 1);
                ws[col] = (int)((tmp10 + tmp3 + Round1) >> Shift1);
                ws[56 + col] = (int)((tmp10 - tmp3 + Round1) >> Shift1);
                ws[8 + col] = (int)((tmp11 + tmp2 + Round1) >> Shift1);
                ws[48 + col] = (int)((tmp11 - tmp2 + Round1) >> Shift1);
                ws[16 + col] = (int)((tmp12 + tmp1 + Round1) >> Shift1);
                ws[40 + col] = (int)((tmp12 - tmp1 + Round1) >> Shift1);
                ws[24 + col] = (int)((tmp13 + tmp0 + Round1) >> Shift1);
                ws[32 + col] = (int)((tmp13 - tmp0 + Round1) >> Shift1);
            }

            var limit = IdctLimit;
            for (var row = 0; row < 8; row++)
            {
                var w = row * 8;
                var o = offset + (row * stride);
                const int Shift2 = ConstBits + Pass1Bits + 3;
                const long Round2 = 1L << (Shift2 - 1);
                if (ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0 && ws[w + 6] == 0 && ws[w + 7] == 0)
                {
                    var dcval = limit[(int)(((long)ws[w] + (1L << (Pass1Bits + 2))) >> (Pass1Bits + 3)) & 1023];
                    for (var i = 0; i < 8; i++) { output[o + i] = dcval; }
                    continue;
                }

                long z2 = ws[w + 2];
                long z3 = ws[w + 6];
                var z1 = (z2 + z3) * F0541196100;
                var tmp2 = z1 + (z3 * -F1847759065);
                var tmp3 = z1 + (z2 * F0765366865);
                var tmp0 = ((long)ws[w] + ws[w + 4]) << ConstBits;
                var tmp1 = ((long)ws[w] - ws[w + 4]) << ConstBits;
                var tmp10 = tmp0 + tmp3;
                var tmp13 = tmp0 - tmp3;
                var tmp11 = tmp1 + tmp2;
                var tmp12 = tmp1 - tmp2;

                tmp0 = ws[w + 7];
                tmp1 = ws[w + 5];
                tmp2 = ws[w + 3];
                tmp3 = ws[w + 1];
                Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

                output[o] = limit[(int)((tmp10 + tmp3 + Round2) >> Shift2) & 1023];
                output[o + 7] = limit[(int)((tmp10 - tmp3 + Round2) >> Shift2) & 1023];
                output[o + 1] = limit[(int)((tmp11 + tmp2 + Round2) >> Shift2) & 1023];
                output[o + 6] = limit[(int)((tmp11 - tmp2 + Round2) >> Shift2) & 1023];
                output[o + 2] = limit[(int)((tmp12 + tmp1 + Round2) >> Shift2) & 1023];
                output[o + 5] = limit[(int)((tmp12 - tmp1 + Round2) >> Shift2) & 1023];
                output[o + 3] = limit[(int)((tmp13 + tmp0 + Round2) >> Shift2) & 1023];
                output[o + 4] = limit[(int)((tmp13 - tmp0 + Round2) >> Shift2) & 1023];
            }

            // The odd part (figure 8 of the IJG notes); i0..i3 are y7, y5, y3, y1.
            void Odd(ref long t0, ref long t1, ref long t2, ref long t3)
            {
                var a1 = t0 + t3;
                var a2 = t1 + t2;
                var a3 = t0 + t2;
                var a4 = t1 + t3;
                var a5 = (a3 + a4) * F1175875602;
                t0 *= F0298631336;
                t1 *= F2053119869;
                t2 *= F3072711026;
                t3 *= F1501321110;
                a1 *= -F0899976223;
                a2 *= -F2562915447;
                a3 *= -F1961570560;
                a4 *= -F0390180644;
                a3 += a5;
                a4 += a5;
                t0 += a1 + a3;
                t1 += a2 + a4;
                t2 += a2 + a3;
                t3 += a1 + a4;
            }
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
        private byte[] ConvertYcc(PixelRect rect)
        {
            int w = (int)rect.Width, h = (int)rect.Height;
            int x0 = (int)rect.Left, y0 = (int)rect.Top;
            var luma = _components[0];
            var cbRow = new int[w];
            var crRow = new int[w];
            var rgb = new byte[w * h * 3];
            var o = 0;
            for (var y = 0; y < h; y++)
            {
                Chroma(_components[1], y0 + y, x0, w, cbRow);
                Chroma(_components[2], y0 + y, x0, w, crRow);
                var lrow = ((y0 + y - (luma.By0 * 8)) * luma.Stride) - (luma.Bx0 * 8);
                for (var x = 0; x < w; x++)
                {
                    int yy = luma.Plane[lrow + x0 + x];
                    int cb = cbRow[x];
                    int cr = crRow[x];
                    rgb[o++] = Clamp(yy + CrR[cr]);
                    rgb[o++] = Clamp(yy + ((CbG[cb] + CrG[cr]) >> 16));
                    rgb[o++] = Clamp(yy + CbB[cb]);
                }
            }

            return rgb;
        }

        private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

        // One output row of a chroma component at full resolution, as jdsample.c's fancy upsamplers make it.
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
            for (var x = 0; x < w; x++)
            {
                var X = x0 + x;
                var cc = X >> 1;
                var sum = (c.Plane[nrow + cc] * 3) + c.Plane[frow + cc];
                if ((X & 1) == 0)
                {
                    row[x] = cc == 0 ? ((sum * 4) + 8) >> 4 : ((sum * 3) + (c.Plane[nrow + cc - 1] * 3) + c.Plane[frow + cc - 1] + 8) >> 4;
                }
                else
                {
                    row[x] = cc == last ? ((sum * 4) + 7) >> 4 : ((sum * 3) + (c.Plane[nrow + cc + 1] * 3) + c.Plane[frow + cc + 1] + 7) >> 4;
                }
            }
        }

        /// <summary>Reads entropy-coded bits: 0xFF00 is a data 0xFF; a marker ends the data (then zeros).</summary>
        private struct BitReader
        {
            private readonly byte[] _d;
            private int _pos;
            private ulong _buffer;
            private int _count;
            private bool _atMarker;

            public BitReader(byte[] data, int start)
            {
                _d = data;
                _pos = start;
                _buffer = 0;
                _count = 0;
                _atMarker = false;
                _phantom = 0;
                Damaged = false;
            }

            /// <summary>True once bits were asked for past the end of the data (truncated or corrupt).</summary>
            public bool Damaged { get; private set; }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private void Fill()
            {
                while (_count <= 56)
                {
                    uint b = 0;
                    var real = false;
                    if (!_atMarker && _pos < _d.Length)
                    {
                        b = _d[_pos];
                        if (b != 0xFF)
                        {
                            _pos++;
                            real = true;
                        }
                        else if (_pos + 1 < _d.Length && _d[_pos + 1] == 0x00)
                        {
                            _pos += 2;
                            real = true;
                        }
                        else
                        {
                            _atMarker = true;
                            b = 0;
                        }
                    }

                    // Past the data the buffer fills with zeros; using any of them means the scan ended early.
                    if (!real) { _phantom += 8; }
                    _buffer |= (ulong)b << (56 - _count);
                    _count += 8;
                }
            }

            private int _phantom;

            public int Bits(int n)
            {
                if (_count < n) { Fill(); }
                var v = (int)(_buffer >> (64 - n));
                _buffer <<= n;
                _count -= n;
                Check();
                return v;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public int Decode(Huffman t)
            {
                if (_count < 16) { Fill(); }
                var entry = t.Lookup[(int)(_buffer >> 55)];
                if (entry != 0)
                {
                    var length = entry >> 8;
                    _buffer <<= length;
                    _count -= length;
                    Check();
                    return entry & 0xFF;
                }

                var code = (int)(_buffer >> 54);
                var l = 10;
                while (code > t.MaxCode[l])
                {
                    l++;
                    if (l > 16) { return -1; }
                    code = (int)(_buffer >> (64 - l));
                }

                _buffer <<= l;
                _count -= l;
                Check();
                return t.Values[(code + t.ValOffset[l]) & 0xFF];
            }

            // Bits consumed beyond the real data mean the scan ended early.
            private void Check()
            {
                if (_phantom > 0 && _count < _phantom) { Damaged = true; }
            }

            /// <summary>Skips to the expected restart marker, dropping the rest of the byte.</summary>
            public bool Restart(int n)
            {
                _buffer = 0;
                _count = 0;
                _phantom = 0;
                if (!_atMarker)
                {
                    while (_pos + 1 < _d.Length && !(_d[_pos] == 0xFF && _d[_pos + 1] != 0x00 && _d[_pos + 1] != 0xFF)) { _pos++; }
                }

                while (_pos + 1 < _d.Length && _d[_pos] == 0xFF && _d[_pos + 1] == 0xFF) { _pos++; }
                if (_pos + 1 >= _d.Length || _d[_pos] != 0xFF || _d[_pos + 1] != 0xD0 + n) { return false; }
                _pos += 2;
                _atMarker = false;
                return true;
            }
        }
    }
}
