using System.Collections.Generic;
using System.IO;
using System.Text;

namespace InsightFaceEval.IO
{
    /// <summary>
    /// The module's readers: they open with <see cref="FileShare.ReadWrite"/> | <see cref="FileShare.Delete"/>, so on
    /// Windows a file another program is writing can still be read, and reading never stops a writer (this module's
    /// atomic replace included) from replacing or deleting the file. File.ReadAll* share for reading only.
    /// </summary>
    public static class SharedFile
    {
        /// <summary>What the module lets others do with a file it is reading.</summary>
        public const FileShare ReaderShare = FileShare.ReadWrite | FileShare.Delete;

        public static FileStream OpenRead(string path, int bufferSize = 4096) =>
            new FileStream(path, FileMode.Open, FileAccess.Read, ReaderShare, bufferSize, FileOptions.SequentialScan);

        public static byte[] ReadAllBytes(string path)
        {
            using (var stream = OpenRead(path, 1))
            {
                var length = stream.Length;
                if (length > int.MaxValue) { throw new IOException($"'{path}' is larger than 2 GB."); }
                var bytes = new byte[length];
                var read = 0;
                while (read < bytes.Length)
                {
                    var n = stream.Read(bytes, read, bytes.Length - read);
                    if (n == 0) { break; }
                    read += n;
                }

                if (read == bytes.Length && stream.ReadByte() < 0) { return bytes; }

                // Another program changed the length while it was read: read again as a stream.
                stream.Position = 0;
                var buffer = new MemoryStream();
                stream.CopyTo(buffer, 81920);
                return buffer.ToArray();
            }
        }

        /// <summary>The text of a file: UTF-8 unless a byte-order mark says otherwise (as File.ReadAllText).</summary>
        public static string ReadAllText(string path, Encoding encoding = null)
        {
            using (var reader = new StreamReader(OpenRead(path), encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            {
                return reader.ReadToEnd();
            }
        }

        /// <summary>The lines of a file (as File.ReadAllLines).</summary>
        public static string[] ReadAllLines(string path, Encoding encoding = null)
        {
            var lines = new List<string>();
            using (var reader = new StreamReader(OpenRead(path), encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            {
                string line;
                while ((line = reader.ReadLine()) != null) { lines.Add(line); }
            }

            return lines.ToArray();
        }
    }
}
