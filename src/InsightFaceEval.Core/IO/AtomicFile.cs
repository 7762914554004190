using System;
using System.IO;
using System.Threading;

namespace InsightFaceEval.IO
{
    /// <summary>Files that appear whole or not at all.</summary>
    public static class AtomicFile
    {
        /// <summary>
        /// Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, closes it, then
        /// renames it into place, so an interrupted run never leaves a half-written file under the real name.
        /// With <paramref name="overwrite"/> false an existing file is an <see cref="IOException"/>.
        /// Cancellation is honoured between 1 MiB chunks and before the rename; a cancelled write leaves nothing.
        /// A target another program holds open is retried with backoff (<see cref="FileReplace"/>).
        /// </summary>
        public static void WriteAllBytes(string path, byte[] bytes, bool overwrite, CancellationToken cancellationToken = default)
        {
            var full = Path.GetFullPath(path);
            var folder = Path.GetDirectoryName(full);
            Directory.CreateDirectory(folder);
            var temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
                {
                    const int chunk = 1 << 20;
                    for (var offset = 0; offset < bytes.Length; offset += chunk)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        stream.Write(bytes, offset, Math.Min(chunk, bytes.Length - offset));
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();

                // Retried with backoff while another program (antivirus, Excel) briefly holds the target.
                FileReplace.MoveIntoPlace(temp, full, overwrite, cancellationToken);
            }
            finally
            {
                if (File.Exists(temp)) { File.Delete(temp); }
            }
        }
    }
}
