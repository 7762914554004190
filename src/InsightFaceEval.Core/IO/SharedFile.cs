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
                // The length may change while another program writes; read what is there now.
                var buffer = new MemoryStream(stream.CanSeek ? (int)System.Math.Min(stream.Length, int.MaxValue) : 0);
                stream.CopyTo(buffer, 81920);
                return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
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
