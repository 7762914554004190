using System;
using System.Runtime.CompilerServices;
using System.IO;
using System.IO.Compression;

namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// Writes 8-bit RGB PNGs with exactly three chunks (IHDR, IDAT, IEND): nothing about the source,
    /// its camera or its place can leave in a crop. Rows are filtered with PNG's Average filter and
    /// deflated by the platform's zlib at its fastest level (as cv2.imwrite does by default).
    /// </summary>
    public static class PngWriter
    {
        // MethodImplOptions.AggressiveOptimization: compiled fully optimised at once (skips tier 0).
        private const MethodImplOptions Hot = (MethodImplOptions)512;

        private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        private static readonly uint[] CrcTable = BuildCrcTable();

        /// <summary>Encodes packed RGB rows (3 bytes a pixel) as a PNG.</summary>
        public static byte[] EncodeRgb(byte[] rgb, int width, int height)
        {
            if (rgb == null) { throw new ArgumentNullException(nameof(rgb)); }
            if (width < 1 || height < 1 || rgb.Length < (long)width * height * 3) { throw new ArgumentException("The buffer does not hold the image."); }

            using (var output = new MemoryStream((width * height * 3 / 2) + 1024))
            {
                output.Write(Signature, 0, Signature.Length);
                var ihdr = new byte[13];
                WriteUInt32(ihdr, 0, (uint)width);
                WriteUInt32(ihdr, 4, (uint)height);
                ihdr[8] = 8;  // bit depth
                ihdr[9] = 2;  // colour type: truecolour
                ihdr[10] = 0; // deflate
                ihdr[11] = 0; // adaptive filtering
                ihdr[12] = 0; // no interlace
                WriteChunk(output, "IHDR", ihdr, ihdr.Length);

                var idat = Compress(Filter(rgb, width, height));
                WriteChunk(output, "IDAT", idat.GetBuffer(), (int)idat.Length);
                WriteChunk(output, "IEND", Array.Empty<byte>(), 0);
                return output.ToArray();
            }
        }

        // Every row gets PNG's "Average" filter. On photographic crops it came within a few percent of
        // libpng-style per-row filter choice (and beat it on our synthetic set) at a fifth of the cost.
        [MethodImpl(Hot)]
        private static unsafe byte[] Filter(byte[] rgb, int width, int height)
        {
            var stride = width * 3;
            var filtered = new byte[(stride + 1) * height];
            fixed (byte* src = rgb)
            fixed (byte* dst = filtered)
            {
                for (var y = 0; y < height; y++)
                {
                    var row = src + (y * stride);
                    var o = dst + (y * (stride + 1));
                    o[0] = 3;
                    o++;
                    if (y == 0)
                    {
                        for (var i = 0; i < 3; i++) { o[i] = row[i]; }
                        for (var i = 3; i < stride; i++) { o[i] = (byte)(row[i] - (row[i - 3] >> 1)); }
                        continue;
                    }

                    var prev = row - stride;
                    for (var i = 0; i < 3; i++) { o[i] = (byte)(row[i] - (prev[i] >> 1)); }
                    for (var i = 3; i < stride; i++) { o[i] = (byte)(row[i] - ((row[i - 3] + prev[i]) >> 1)); }
                }
            }

            return filtered;
        }

        private static MemoryStream Compress(byte[] data)
        {
            var zlib = new MemoryStream((data.Length / 2) + 64);
            zlib.WriteByte(0x78);
            zlib.WriteByte(0x01);
            using (var deflate = new DeflateStream(zlib, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(data, 0, data.Length);
            }

            var adler = Adler32(data);
            var tail = new byte[4];
            WriteUInt32(tail, 0, adler);
            zlib.Write(tail, 0, 4);
            return zlib;
        }

        [MethodImpl(Hot)]
        private static uint Adler32(byte[] data)
        {
            const uint Mod = 65521;
            uint a = 1, b = 0;
            var i = 0;
            while (i < data.Length)
            {
                var n = Math.Min(5552, data.Length - i);
                for (var end = i + n; i < end; i++)
                {
                    a += data[i];
                    b += a;
                }

                a %= Mod;
                b %= Mod;
            }

            return (b << 16) | a;
        }

        private static void WriteChunk(Stream output, string type, byte[] data, int length)
        {
            var header = new byte[8];
            WriteUInt32(header, 0, (uint)length);
            for (var i = 0; i < 4; i++) { header[4 + i] = (byte)type[i]; }
            output.Write(header, 0, 8);
            output.Write(data, 0, length);
            var crc = UpdateCrc(0xFFFFFFFFu, header, 4, 4);
            crc = UpdateCrc(crc, data, 0, length) ^ 0xFFFFFFFFu;
            var tail = new byte[4];
            WriteUInt32(tail, 0, crc);
            output.Write(tail, 0, 4);
        }

        [MethodImpl(Hot)]
        private static uint UpdateCrc(uint crc, byte[] data, int offset, int count)
        {
            for (var i = offset; i < offset + count; i++) { crc = CrcTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8); }
            return crc;
        }

        private static uint[] BuildCrcTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++) { c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1; }
                table[n] = c;
            }

            return table;
        }

        private static void WriteUInt32(byte[] buffer, int offset, uint value)
        {
            buffer[offset] = (byte)(value >> 24);
            buffer[offset + 1] = (byte)(value >> 16);
            buffer[offset + 2] = (byte)(value >> 8);
            buffer[offset + 3] = (byte)value;
        }
    }
}
