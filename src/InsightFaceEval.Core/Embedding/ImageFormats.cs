using System.Text;

namespace InsightFaceEval.Embedding
{
    /// <summary>Recognises image containers from their first bytes, without decoding.</summary>
    public static class ImageFormats
    {
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
