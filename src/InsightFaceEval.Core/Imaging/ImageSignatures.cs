using System;
using System.Text;

namespace InsightFaceEval.Imaging
{
    /// <summary>Byte-level facts about image files that the decoder does not tell.</summary>
    internal static class ImageSignatures
    {
        /// <summary>The name of a known image format the decoder does not read, or null.</summary>
        public static string DescribeUnsupported(byte[] d)
        {
            if (d.Length >= 12 && Ascii(d, 4, 4) == "ftyp")
            {
                var brand = Ascii(d, 8, 4);
                switch (brand)
                {
                    case "avif": case "avis": return "AVIF";
                    case "heic": case "heix": case "hevc": case "hevx": case "heim": case "heis": case "mif1": case "msf1": return "HEIF/HEIC";
                    case "jxl ": return "JPEG XL";
                    case "crx ": return "Canon CR3 raw";
                }
            }

            if (d.Length >= 12 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0x0C && Ascii(d, 4, 4) == "jP  ") { return "JPEG 2000"; }
            if (d.Length >= 4 && d[0] == 0xFF && d[1] == 0x4F && d[2] == 0xFF && d[3] == 0x51) { return "JPEG 2000"; }
            if (d.Length >= 2 && d[0] == 0xFF && d[1] == 0x0A) { return "JPEG XL"; }
            if (d.Length >= 4 && Ascii(d, 0, 4) == "8BPS") { return "Photoshop (PSD)"; }
            if (d.Length >= 4 && d[0] == 0x76 && d[1] == 0x2F && d[2] == 0x31 && d[3] == 0x01) { return "OpenEXR"; }
            if (d.Length >= 4 && Ascii(d, 0, 4) == "DDS ") { return "DirectDraw Surface"; }
            if (d.Length >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 1 && d[3] == 0 && d.Length > 6 && d[4] > 0) { return "Windows icon (ICO)"; }
            if (d.Length >= 10 && Ascii(d, 0, 10) == "#?RADIANCE") { return "Radiance HDR"; }
            return null;
        }

        /// <summary>
        /// True when the file ends before its image does: a JPEG without an end-of-image marker after
        /// its first scan, or a PNG without its IEND chunk. (Decoders fill the missing part with grey.)
        /// </summary>
        public static bool IsTruncated(byte[] d, string format)
        {
            if (string.Equals(format, "JPEG", StringComparison.OrdinalIgnoreCase))
            {
                var sos = FindJpegScanStart(d);
                if (sos < 0) { return true; }

                // Entropy-coded data never holds 0xFF followed by 0xD9 (a data 0xFF is followed by 0x00 or a
                // restart marker), so any such pair after the scan starts is the end of the image. It is
                // almost always the last two bytes: look from the end.
                for (var i = d.Length - 2; i >= sos; i--)
                {
                    if (d[i] == 0xFF && d[i + 1] == 0xD9) { return false; }
                }

                return true;
            }

            if (string.Equals(format, "PNG", StringComparison.OrdinalIgnoreCase))
            {
                for (var i = d.Length - 8; i >= 8; i--)
                {
                    if (d[i] == (byte)'I' && d[i + 1] == (byte)'E' && d[i + 2] == (byte)'N' && d[i + 3] == (byte)'D') { return false; }
                }

                return true;
            }

            return false;
        }

        private static int FindJpegScanStart(byte[] d)
        {
            var i = 2;
            while (i + 3 < d.Length)
            {
                if (d[i] != 0xFF) { return -1; }
                var marker = d[i + 1];
                if (marker == 0xFF) { i++; continue; }
                if (marker == 0xDA) { return i + 2; }
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { i += 2; continue; }
                var length = (d[i + 2] << 8) | d[i + 3];
                i += 2 + length;
            }

            return -1;
        }

        private static string Ascii(byte[] d, int offset, int count) => Encoding.ASCII.GetString(d, offset, count);
    }
}
