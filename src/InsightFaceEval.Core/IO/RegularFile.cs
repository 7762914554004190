using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace InsightFaceEval.IO
{
    /// <summary>The path names something that is not a regular file (a FIFO, a device, a socket, a folder).</summary>
    public sealed class NotARegularFileException : IOException
    {
        public NotARegularFileException(string path, string kind)
            : base($"'{path}' is {kind}, not a regular file; only regular files (after following links) are read.")
        {
            Path = path;
            Kind = kind;
        }

        public string Path { get; }

        /// <summary>"a FIFO (named pipe)", "a character device", ...</summary>
        public string Kind { get; }
    }

    /// <summary>The file is larger than the reader accepts for its kind.</summary>
    public sealed class FileTooLargeException : IOException
    {
        public FileTooLargeException(string path, long limit, string what)
            : base($"'{path}' is larger than the {limit:N0} bytes accepted for {what}; it was not read.")
        {
            Path = path;
            Limit = limit;
        }

        public string Path { get; }

        public long Limit { get; }
    }

    /// <summary>
    /// Every reader of user-supplied files goes through here: the path must name a regular file once links are
    /// followed (a FIFO would block the open forever, /dev/zero never ends), and no more than a bound is read. It
    /// opens as <see cref="SharedFile"/> does, so a file another program holds open can still be read.
    /// </summary>
    public static class RegularFile
    {
        private const int TypeMask = 0xF000;
        private const int Fifo = 0x1000;
        private const int CharacterDevice = 0x2000;
        private const int Directory = 0x4000;
        private const int BlockDevice = 0x6000;
        private const int Regular = 0x8000;
        private const int Socket = 0xC000;

        private static readonly bool IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static int _nativeStatUsable = 1;

        /// <summary>
        /// Throws <see cref="FileNotFoundException"/> when nothing is there, <see cref="NotARegularFileException"/>
        /// when what is there (after following links) is not a regular file. Never opens the file.
        /// </summary>
        public static void Check(string path)
        {
            if (path == null) { throw new ArgumentNullException(nameof(path)); }
            var kind = KindOf(path);
            if (kind == null) { return; }
            if (kind.Length == 0) { throw new FileNotFoundException($"Cannot find the file '{path}' because it does not exist.", path); }
            throw new NotARegularFileException(path, kind);
        }

        /// <summary>Reads a regular file of at most <paramref name="maxBytes"/> bytes (see <see cref="Check"/>).</summary>
        public static byte[] ReadAllBytes(string path, long maxBytes, string what = "this kind of file")
        {
            Check(path);
            using (var stream = SharedFile.OpenRead(path, 1))
            {
                long declared;
                try { declared = stream.Length; }
                catch (NotSupportedException) { declared = -1; }
                if (declared > maxBytes) { throw new FileTooLargeException(path, maxBytes, what); }

                // Some regular files report a size of 0 and still have content (/proc): read to the bound, not to the size.
                var buffer = new MemoryStream(declared > 0 ? (int)declared : 4096);
                var chunk = new byte[81920];
                int read;
                while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (buffer.Length + read > maxBytes) { throw new FileTooLargeException(path, maxBytes, what); }
                    buffer.Write(chunk, 0, read);
                }

                return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
            }
        }

        /// <summary>Reads a regular UTF-8 (or BOM-marked) text file of at most <paramref name="maxBytes"/> bytes.</summary>
        public static string ReadAllText(string path, long maxBytes, string what = "this kind of file")
        {
            var bytes = ReadAllBytes(path, maxBytes, what);
            using (var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, true))
            {
                return reader.ReadToEnd();
            }
        }

        /// <summary>
        /// The final target of <paramref name="path"/> with every link followed (the path itself when it is no
        /// link or the runtime cannot tell).
        /// </summary>
        public static string ResolveLinks(string path)
        {
            var full = System.IO.Path.GetFullPath(path);
            var resolve = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(bool) }, null);
            if (resolve == null) { return full; }
            try
            {
                var target = resolve.Invoke(new FileInfo(full), new object[] { true }) as FileSystemInfo;
                return target == null ? full : System.IO.Path.GetFullPath(target.FullName);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is IOException || ex.InnerException is UnauthorizedAccessException)
            {
                return full;
            }
        }

        // null: a regular file (or the platform cannot tell); "": nothing there; else what it is instead.
        private static string KindOf(string path)
        {
            if (IsWindows || _nativeStatUsable == 0)
            {
                if (System.IO.Directory.Exists(path)) { return "a folder"; }
                if (!File.Exists(path)) { return string.Empty; }
                return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? "a device" : null;
            }

            int mode;
            try
            {
                var status = new byte[512];
                var name = Encoding.UTF8.GetBytes(path + "\0");
                if (NativeStat(name, status) != 0)
                {
                    return File.Exists(path) || System.IO.Directory.Exists(path) ? null : string.Empty;
                }

                mode = BitConverter.ToInt32(status, 4);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                _nativeStatUsable = 0;
                return KindOf(path);
            }

            switch (mode & TypeMask)
            {
                case Regular: return null;
                case Fifo: return "a FIFO (named pipe)";
                case CharacterDevice: return "a character device";
                case BlockDevice: return "a block device";
                case Directory: return "a folder";
                case Socket: return "a socket";
                default: return "a special file";
            }
        }

        // The .NET runtime's own portable stat (follows links). Its FileStatus starts with Flags, then Mode (S_IFMT
        // bits in the PAL's fixed values); the rest of the struct is not read, and the buffer is larger than it.
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int NativeStat(byte[] utf8Path, [Out] byte[] status);
    }
}
