using System.Text;

namespace InsightFaceEval.Embedding
{
    /// <summary>Recognises image containers from their first bytes, without decoding.</summary>
    public static class ImageFormats
    {
        /// <summary>
        /// The container the first bytes announce: PNG, JPEG, WebP, BMP, GIF or TIFF; null for anything else (a text
        /// file renamed .png, an HTML error page, an empty file). Checked before upload, so no request is wasted.
        /// </summary>
        public static string Detect(byte[] bytes)
        {
            if (bytes == null || bytes.Length < 4) { return null; }
            if (bytes.Length >= 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G'
                && bytes[4] == 0x0D && bytes[5] == 0x0A && bytes[6] == 0x1A && bytes[7] == 0x0A)
            {
                return "PNG";
            }

            if (bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) { return "JPEG"; }
            if (bytes.Length >= 12 && IsWebP(bytes)) { return "WebP"; }
            if (bytes.Length >= 6 && bytes[0] == (byte)'G' && bytes[1] == (byte)'I' && bytes[2] == (byte)'F' && bytes[3] == (byte)'8'
                && (bytes[4] == (byte)'7' || bytes[4] == (byte)'9') && bytes[5] == (byte)'a')
            {
                return "GIF";
            }

            if ((bytes[0] == (byte)'I' && bytes[1] == (byte)'I' && bytes[2] == 42 && bytes[3] == 0)
                || (bytes[0] == (byte)'M' && bytes[1] == (byte)'M' && bytes[2] == 0 && bytes[3] == 42))
            {
                return "TIFF";
            }

            // "BM" alone starts plenty of text; a real bitmap also has zero reserved bytes and a known DIB header size.
            if (bytes.Length >= 18 && bytes[0] == (byte)'B' && bytes[1] == (byte)'M'
                && bytes[6] == 0 && bytes[7] == 0 && bytes[8] == 0 && bytes[9] == 0)
            {
                var dib = bytes[14] | (bytes[15] << 8) | (bytes[16] << 16) | (bytes[17] << 24);
                if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) { return "BMP"; }
            }

            return null;
        }

        /// <summary>True when <see cref="Detect"/> recognises an image container.</summary>
        public static bool IsImage(byte[] bytes) => Detect(bytes) != null;

        /// <summary>
        /// True for JPEG and lossy WebP: re-encoded crops are the most common cause of abnormally low scores.
        /// Lossless WebP (VP8L) is not lossy.
        /// </summary>
        public static bool IsLossy(byte[] bytes)
        {
            if (bytes == null || bytes.Length < 12) { return false; }
            if (bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) { return true; }
            if (!IsWebP(bytes)) { return false; }

            // Walk the RIFF chunks: a "VP8 " chunk holds lossy data (also inside an extended "VP8X" file).
            var offset = 12;
            while (offset + 8 <= bytes.Length)
            {
                var fourcc = Encoding.ASCII.GetString(bytes, offset, 4);
                if (fourcc == "VP8 ") { return true; }
                long size = (uint)(bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24));
                var next = offset + 8L + ((size + 1) & ~1L);
                if (next > bytes.Length) { break; }
                offset = (int)next;
            }

            return false;
        }

        private static bool IsWebP(byte[] b) =>
            b[0] == (byte)'R' && b[1] == (byte)'I' && b[2] == (byte)'F' && b[3] == (byte)'F'
            && b[8] == (byte)'W' && b[9] == (byte)'E' && b[10] == (byte)'B' && b[11] == (byte)'P';
    }
}
