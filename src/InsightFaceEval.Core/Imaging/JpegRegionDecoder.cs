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
    internal sealed partial class JpegRegionDecoder
    {
        /// <summary>MethodImplOptions.AggressiveOptimization (512), which netstandard2.0 does not name: for the hot loops of the decoder's files.</summary>
        internal const MethodImplOptions Hot = (MethodImplOptions)512;

        private static readonly int[] ZigZag =
        {
            0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
            28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
            54, 47, 55, 62, 63,
            63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, // guards for corrupt run lengths
        };

        private readonly byte[] _data;
        private readonly Component[] _components;
        private readonly int[][] _quant = new int[4][];
        private readonly JpegHuffmanTable[] _dcTables = new JpegHuffmanTable[4];
        private readonly JpegHuffmanTable[] _acTables = new JpegHuffmanTable[4];
        private int _restartInterval;
        private int _scanStart;
        private int _hmax = 1, _vmax = 1;

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

            var reader = new JpegBitReader(_data, _scanStart);
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
                                    JpegIdct.IdctIslow(coefficients, _quant[c.Tq], workspace, c.Plane, (by * 8 * c.Stride) + (bx * 8), c.Stride);
                                }
                            }
                        }
                    }
                }
            }

            return !reader.Damaged;
        }

        [MethodImpl(Hot)]
        private bool DecodeBlock(ref JpegBitReader reader, Component c, int[] block, bool keep)
        {
            var dcTable = _dcTables[c.Td];
            var acTable = _acTables[c.Ta];
            var fast = acTable.FastAc;
            var s = reader.Decode(dcTable);
            if (s < 0 || s > 16) { return false; }
            var diff = s == 0 ? 0 : JpegBitReader.Extend(reader.Bits(s), s);
            c.Pred += diff;
            if (keep)
            {
                Array.Clear(block, 0, 64);
                block[0] = c.Pred;
            }

            for (var k = 1; k < 64;)
            {
                var f = fast[reader.Peek9()];
                if (f != 0)
                {
                    reader.Skip(f & 0xFF);
                    k += (f >> 8) & 0xFF;
                    if (k > 63) { return false; }
                    if (keep) { block[ZigZag[k]] = f >> 16; }
                    k++;
                    continue;
                }

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
                var value = JpegBitReader.Extend(reader.Bits(s), s);
                if (k > 63) { return false; }
                if (keep) { block[ZigZag[k]] = value; }
                k++;
            }

            return !reader.Damaged;
        }

    }
}
