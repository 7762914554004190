using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using InsightFaceEval.IO;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// NumPy's .npy format for one embedding. Writing reproduces np.save of a 1-D float32 array byte for byte,
    /// so the vendor's client and this module leave identical files for the same reply; reading also accepts what
    /// numpy users typically have lying around (float64, either byte order, format versions 1 to 3, one row).
    /// </summary>
    public static class NpyFile
    {
        private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

        // numpy pads the header so the data starts on a 64-byte boundary, and (numpy >= 1.24) reserves room for the
        // shape to grow to 21 digits. For a 1-D array both rules give the same 128-byte header whatever the length.
        private const int ArrayAlign = 64;
        private const int GrowthAxisMaxDigits = 21;

        /// <summary>The exact bytes np.save writes for np.asarray(vector, dtype=np.float32).</summary>
        public static byte[] Serialize(float[] vector)
        {
            if (vector == null) { throw new ArgumentNullException(nameof(vector)); }
            var header = HeaderFor(vector.Length);
            var bytes = new byte[header.Length + (vector.Length * 4)];
            Buffer.BlockCopy(header, 0, bytes, 0, header.Length);
            Buffer.BlockCopy(vector, 0, bytes, header.Length, vector.Length * 4);
            if (!BitConverter.IsLittleEndian)
            {
                for (var i = header.Length; i < bytes.Length; i += 4) { Array.Reverse(bytes, i, 4); }
            }

            return bytes;
        }

        // A run writes thousands of vectors of one length: build that header once. Never handed out, only copied.
        private static Tuple<int, byte[]> _lastHeader;

        private static byte[] HeaderFor(int length)
        {
            var last = Volatile.Read(ref _lastHeader);
            if (last != null && last.Item1 == length) { return last.Item2; }
            var header = Header(length);
            Volatile.Write(ref _lastHeader, Tuple.Create(length, header));
            return header;
        }

        private static byte[] Header(int length)
        {
            var shape = length.ToString(CultureInfo.InvariantCulture);
            var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + ",), }"
                + new string(' ', Math.Max(0, GrowthAxisMaxDigits - shape.Length));
            var headerLength = dict.Length + 1;
            var padding = ArrayAlign - ((Magic.Length + 2 + 2 + headerLength) % ArrayAlign);
            var text = dict + new string(' ', padding) + "\n";
            var total = Magic.Length + 2 + 2 + text.Length;
            var header = new byte[total];
            Buffer.BlockCopy(Magic, 0, header, 0, Magic.Length);
            header[6] = 1;
            header[7] = 0;
            header[8] = (byte)(text.Length & 0xFF);
            header[9] = (byte)(text.Length >> 8);
            Encoding.ASCII.GetBytes(text, 0, text.Length, header, 10);
            return header;
        }

        /// <summary>
        /// The largest .npy file read: 16 million float32 values, far beyond any embedding, far below what would
        /// exhaust memory. numpy itself refuses headers over 10,000 bytes unless told otherwise.
        /// </summary>
        public const long MaxFileBytes = 64L * 1024 * 1024;

        public const int MaxHeaderBytes = 10000;

        /// <summary>
        /// Reads one embedding. Throws <see cref="InvalidDataException"/> for anything that is not one,
        /// <see cref="InsightFaceEval.IO.NotARegularFileException"/> for a FIFO, device or socket and
        /// <see cref="InsightFaceEval.IO.FileTooLargeException"/> past <see cref="MaxFileBytes"/>.
        /// </summary>
        public static float[] Read(string path)
        {
            return Parse(InsightFaceEval.IO.RegularFile.ReadAllBytes(path, MaxFileBytes, "a .npy embedding"), path);
        }

        /// <summary>Parses the bytes of a .npy file holding one vector (shape (n,), (1, n) or (n, 1)).</summary>
        public static float[] Parse(byte[] bytes, string nameForMessages = null)
        {
            var name = nameForMessages ?? "the data";
            if (bytes.Length < 10 || !StartsWithMagic(bytes))
            {
                throw new InvalidDataException($"{name} is not a NumPy .npy file.");
            }

            int major = bytes[6];
            int headerLength;
            int dataStart;
            if (major == 1)
            {
                headerLength = bytes[8] | (bytes[9] << 8);
                dataStart = 10 + headerLength;
            }
            else if (major == 2 || major == 3)
            {
                if (bytes.Length < 12) { throw new InvalidDataException($"{name} has a truncated .npy header."); }
                headerLength = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
                dataStart = 12 + headerLength;
            }
            else
            {
                throw new InvalidDataException($"{name} uses .npy format version {major}, which this module does not read (1 to 3).");
            }

            if (headerLength < 0 || headerLength > MaxHeaderBytes)
            {
                throw new InvalidDataException($"{name} declares a .npy header of {(uint)headerLength:N0} bytes; at most {MaxHeaderBytes:N0} are read.");
            }

            if (dataStart > bytes.Length)
            {
                throw new InvalidDataException($"{name} has a truncated .npy header.");
            }

            var encoding = major == 3 ? Encoding.UTF8 : Encoding.GetEncoding("iso-8859-1");
            var header = encoding.GetString(bytes, dataStart - headerLength, headerLength);
            var descr = Match(header, @"['""]descr['""]\s*:\s*['""]([^'""]*)['""]", name, "descr");
            var fortran = Match(header, @"['""]fortran_order['""]\s*:\s*(True|False)", name, "fortran_order");
            var shapeText = Match(header, @"['""]shape['""]\s*:\s*\(([^)]*)\)", name, "shape");

            long count = 1;
            var dims = 0;
            long longest = 0;
            foreach (var part in shapeText.Split(','))
            {
                var t = part.Trim().TrimEnd('L');
                if (t.Length == 0) { continue; }
                if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                {
                    throw new InvalidDataException($"{name} has an unreadable shape ({shapeText}).");
                }

                dims++;
                if (d > int.MaxValue || dims > 2)
                {
                    throw new InvalidDataException($"{name} holds an array of shape ({shapeText}); an embedding is one vector.");
                }

                count *= d;
                if (d != 1) { longest = Math.Max(longest, d); }
                else if (longest == 0) { longest = 1; }
            }

            // One vector: (n,), or a single row or column. A (0,) array is the empty feature of a failure to acquire.
            if (dims == 0 || dims > 2 || (dims == 2 && count != longest))
            {
                throw new InvalidDataException($"{name} holds an array of shape ({shapeText}); an embedding is one vector.");
            }

            _ = fortran; // a single row or column reads the same in either order
            int itemSize;
            bool bigEndian;
            switch (descr)
            {
                case "<f4": itemSize = 4; bigEndian = false; break;
                case ">f4": itemSize = 4; bigEndian = true; break;
                case "<f8": itemSize = 8; bigEndian = false; break;
                case ">f8": itemSize = 8; bigEndian = true; break;
                case "=f4": itemSize = 4; bigEndian = !BitConverter.IsLittleEndian; break;
                case "=f8": itemSize = 8; bigEndian = !BitConverter.IsLittleEndian; break;
                default:
                    throw new InvalidDataException($"{name} stores '{descr}' values; embeddings are float32 ('<f4') or float64 ('<f8').");
            }

            if (count > int.MaxValue || bytes.Length - dataStart < count * itemSize)
            {
                throw new InvalidDataException($"{name} is shorter than its header says ({count} values).");
            }

            var vector = new float[count];
            var swap = bigEndian == BitConverter.IsLittleEndian;
            var scratch = new byte[8];
            for (var i = 0; i < vector.Length; i++)
            {
                var offset = dataStart + (i * itemSize);
                if (!swap)
                {
                    vector[i] = itemSize == 4 ? BitConverter.ToSingle(bytes, offset) : (float)BitConverter.ToDouble(bytes, offset);
                    continue;
                }

                Buffer.BlockCopy(bytes, offset, scratch, 0, itemSize);
                Array.Reverse(scratch, 0, itemSize);
                vector[i] = itemSize == 4 ? BitConverter.ToSingle(scratch, 0) : (float)BitConverter.ToDouble(scratch, 0);
            }

            return vector;
        }

        private static bool StartsWithMagic(byte[] bytes)
        {
            for (var i = 0; i < Magic.Length; i++)
            {
                if (bytes[i] != Magic[i]) { return false; }
            }

            return true;
        }

        private static string Match(string header, string pattern, string name, string key)
        {
            var m = Regex.Match(header, pattern);
            if (!m.Success) { throw new InvalidDataException($"{name} has a .npy header without '{key}'."); }
            return m.Groups[1].Value;
        }
    }
}
