using System;
using System.IO;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The paths an index.jsonl names come from whoever last edited it. A record's embedding file must lie in its
    /// model folder (relative, no "..", no link leading out); its relative image path must stay relative (no "..",
    /// not rooted). A record that breaks a rule is reported on its own; the other records still import. A recorded
    /// image path that is not the relative path under some folder is not used.
    /// </summary>
    public static class StorePaths
    {
        /// <summary>Null when the record's paths are safe to use, else the per-record error.</summary>
        internal static ImportResult CheckRecord(string modelFolder, StoreRecord record)
        {
            var relative = record.RelativePath;
            if (!IsCleanRelative(relative))
            {
                return Reject("UnsafeImagePath", modelFolder,
                    $"The index in '{modelFolder}' lists the image '{relative}', which is not a plain relative path (rooted, or with a '..' segment); the record was skipped.");
            }

            if (record.Status == EmbeddingStatus.NoFace || record.EmbeddingFile == null) { return null; }
            var file = record.EmbeddingFile;
            var full = IsCleanRelative(file) ? Path.GetFullPath(Path.Combine(modelFolder, file.Replace('/', Path.DirectorySeparatorChar))) : null;
            if (full == null || !DatasetPaths.IsUnder(full, modelFolder) || !DatasetPaths.IsUnder(InsightFaceEval.IO.RegularFile.ResolveLinks(full), modelFolder))
            {
                return Reject("PathOutsideStore", full ?? modelFolder,
                    $"The index in '{modelFolder}' names the embedding file '{file}' for '{relative}', which is outside the model's folder; it was not opened.");
            }

            return null;
        }

        /// <summary>
        /// The recorded image path when it is the record's relative path under some folder, else null: a path that
        /// points elsewhere (a private file, /etc/passwd) is not trusted as the image, so no report reads it. The
        /// record itself still imports (a -RelativePath key chosen by the user need not match the file's name).
        /// </summary>
        internal static string TrustedSourcePath(StoreRecord record) =>
            !string.IsNullOrEmpty(record.SourcePath) && IsPathOf(record.SourcePath, record.RelativePath) ? record.SourcePath : null;

        /// <summary>A relative path of plain segments: not rooted, no drive, no "." or ".." segment, no NUL.</summary>
        public static bool IsCleanRelative(string path)
        {
            if (string.IsNullOrWhiteSpace(path) || path.IndexOf('\0') >= 0) { return false; }
            var p = path.Replace('\\', '/');
            if (p.StartsWith("/", StringComparison.Ordinal) || p.IndexOf(':') >= 0 || Path.IsPathRooted(path)) { return false; }
            foreach (var segment in p.Split('/'))
            {
                if (segment == ".." || segment == "." ) { return false; }
            }

            return true;
        }

        // "/data/photos/alice/1.png" is the path of "alice/1.png"; "/etc/passwd" is not.
        private static bool IsPathOf(string sourcePath, string relative)
        {
            if (!Path.IsPathRooted(sourcePath)) { return false; }
            var full = sourcePath.Replace('\\', '/');
            var rel = "/" + relative.Replace('\\', '/').TrimStart('/');
            if (full.IndexOf("/../", StringComparison.Ordinal) >= 0 || full.IndexOf("/./", StringComparison.Ordinal) >= 0) { return false; }
            return full.EndsWith(rel, StringComparison.OrdinalIgnoreCase);
        }

        private static ImportResult Reject(string problem, string target, string message) =>
            ImportResult.Of(new Problem(problem, ProblemCategory.InvalidData, new InvalidDataException(message), target));
    }
}
