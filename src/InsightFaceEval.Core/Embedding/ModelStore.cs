using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using InsightFaceEval.IO;

namespace InsightFaceEval.Embedding
{
    /// <summary>One model's folder in an <see cref="EmbeddingStore"/>.</summary>
    public sealed class ModelStore
    {
        private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(30);
        private readonly ConcurrentDictionary<string, bool> _createdFolders = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        internal ModelStore(string folder, string requestedModel)
        {
            Folder = folder;
            RequestedModel = requestedModel;
            IndexPath = Path.Combine(folder, EmbeddingStore.IndexFileName);
        }

        /// <summary>The model name as the user asked for it (the folder is named after it).</summary>
        public string RequestedModel { get; }

        public string Folder { get; }

        public string IndexPath { get; }

        /// <summary>Where the vector of the image at <paramref name="relativePath"/> is stored.</summary>
        public string EmbeddingPathFor(string relativePath) => Path.Combine(Folder, StoreRelativeFile(relativePath).Replace('/', Path.DirectorySeparatorChar));

        /// <summary>The '/'-separated path, below the model folder, of the .npy for an image key.</summary>
        public static string StoreRelativeFile(string relativePath)
        {
            var key = DatasetPaths.NormalizeKey(relativePath) ?? string.Empty;
            var segments = key.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries)
                .Where(s => s != ".")
                .Select(s => s == ".." ? "__" : EmbeddingStore.SafeSegment(s))
                .ToList();
            if (segments.Count == 0) { segments.Add("_"); }

            // Keep the image's extension in the name (img.png.npy) so img.png and img.jpg never share a file.
            segments[segments.Count - 1] += ".npy";
            return string.Join("/", segments);
        }

        /// <summary>Writes a vector atomically (temporary name, then rename) and returns its full path.</summary>
        public string WriteVector(string relativePath, float[] vector) => WriteStoreFile(StoreRelativeFile(relativePath), vector);

        /// <summary>
        /// Writes a vector atomically to <paramref name="storeRelativeFile"/> (from <see cref="StoreRelativeFile"/>, which
        /// the caller already holds for the index line) and returns its full path.
        /// </summary>
        public string WriteStoreFile(string storeRelativeFile, float[] vector)
        {
            var path = Path.Combine(Folder, storeRelativeFile.Replace('/', Path.DirectorySeparatorChar));
            var folder = Path.GetDirectoryName(path);
            if (!_createdFolders.ContainsKey(folder))
            {
                Directory.CreateDirectory(folder);
                _createdFolders[folder] = true;
            }

            var temp = EmbeddingStore.TempName(path);
            try
            {
                var bytes = NpyFile.Serialize(vector);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    stream.Write(bytes, 0, bytes.Length);
                }

                Replace(temp, path);
            }
            catch
            {
                EmbeddingStore.TryDelete(temp);
                throw;
            }

            return path;
        }

        // Another run may be creating or replacing the same file (with the same bytes), or a scanner holding it: retried with backoff.
        private static void Replace(string temp, string path) => FileReplace.MoveIntoPlace(temp, path, overwrite: true);

        /// <summary>Appends records to the index under an exclusive lock, each as one line written at once.</summary>
        public void Append(IReadOnlyList<StoreRecord> records, CancellationToken cancellationToken = default)
        {
            if (records.Count == 0) { return; }
            Directory.CreateDirectory(Folder);
            var buffer = new MemoryStream();
            foreach (var record in records)
            {
                record.WriteJsonLine(buffer);
            }

            var bytes = buffer.ToArray();
            using (var stream = OpenLocked(IndexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, cancellationToken))
            {
                // A crash mid-line (power loss) leaves a fragment; start on a fresh line so only that fragment is lost.
                if (stream.Length > 0)
                {
                    stream.Seek(-1, SeekOrigin.End);
                    if (stream.ReadByte() != '\n') { stream.WriteByte((byte)'\n'); }
                }

                stream.Seek(0, SeekOrigin.End);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush();
            }
        }

        /// <summary>
        /// Every readable record in file order. Lines that do not parse (a fragment from a crash) are skipped and
        /// counted in <paramref name="skippedLines"/>.
        /// </summary>
        public List<StoreRecord> ReadIndex(out int skippedLines)
        {
            skippedLines = 0;
            var records = new List<StoreRecord>();
            if (!File.Exists(IndexPath)) { return records; }
            byte[] bytes;
            using (var stream = OpenLocked(IndexPath, FileMode.Open, FileAccess.Read, SharedFile.ReaderShare, CancellationToken.None))
            {
                bytes = new byte[stream.Length];
                var read = 0;
                while (read < bytes.Length)
                {
                    var n = stream.Read(bytes, read, bytes.Length - read);
                    if (n == 0) { break; }
                    read += n;
                }
            }

            var start = 0;
            for (var i = 0; i <= bytes.Length; i++)
            {
                if (i < bytes.Length && bytes[i] != (byte)'\n') { continue; }
                var length = i - start;
                if (length > 0 && !(length == 1 && bytes[start] == (byte)'\r'))
                {
                    var record = StoreRecord.TryParse(new ArraySegment<byte>(bytes, start, length));
                    if (record != null) { records.Add(record); }
                    else { skippedLines++; }
                }

                start = i + 1;
            }

            return records;
        }

        /// <summary>The file an extraction run holds open, unshared, while it extracts this model.</summary>
        public const string RunClaimFileName = ".run.lock";

        /// <summary>
        /// Claims this model's folder for one extraction run until the result is disposed. Two runs that extracted
        /// the same images into one store at once would each pay for every upload: the second is refused with
        /// <see cref="StoreInUseException"/> instead, and once the first has finished a rerun takes its results
        /// from the store. The claim is an unshared open (a lock the operating system drops when the process ends,
        /// however it ends), so a killed run leaves no stale claim.
        /// </summary>
        public IDisposable ClaimForRun()
        {
            Directory.CreateDirectory(Folder);
            var path = Path.Combine(Folder, RunClaimFileName);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException ex) when (File.Exists(path))
                {
                    // A claim that is let go of this very moment is not worth refusing the run for.
                    if (attempt >= 4) { throw new StoreInUseException(Folder, RequestedModel, ex); }
                    Thread.Sleep(25);
                }
            }
        }

        private static FileStream OpenLocked(string path, FileMode mode, FileAccess access, FileShare share, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + LockPatience;
            var delay = 2;
            while (true)
            {
                try
                {
                    return new FileStream(path, mode, access, share, 4096, FileOptions.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline && !(mode == FileMode.Open && !File.Exists(path)))
                {
                    // Another run holds the index for a moment (exclusive while appending); wait our turn.
                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(delay);
                    delay = Math.Min(delay * 2, 50);
                }
            }
        }

        public override string ToString() => Folder;
    }

    /// <summary>Another extraction run holds the model's folder of this store (see <see cref="ModelStore.ClaimForRun"/>).</summary>
    public sealed class StoreInUseException : IOException
    {
        public StoreInUseException(string folder, string model, Exception inner)
            : base($"Another extraction run is storing model '{model}' in '{folder}' right now. Two runs at once would upload the same images twice; wait for it to finish, then run again: what it stored is not uploaded again.", inner)
        {
            Folder = folder;
            Model = model;
        }

        public string Folder { get; }

        public string Model { get; }
    }

    /// <summary>One line of a model's index.</summary>
    public sealed class StoreRecord
    {
        public StoreRecord(
            string relativePath, string sha256, string identity, EmbeddingStatus status, int dimension, string model,
            string requestedModel, string embeddingFile, string sourcePath, DateTimeOffset time, string moduleVersion,
            string endpointFingerprint, double elapsedMilliseconds)
        {
            RelativePath = relativePath;
            Sha256 = sha256;
            Identity = identity;
            Status = status;
            Dimension = dimension;
            Model = model;
            RequestedModel = requestedModel;
            EmbeddingFile = embeddingFile;
            SourcePath = sourcePath;
            Time = time;
            ModuleVersion = moduleVersion;
            EndpointFingerprint = endpointFingerprint;
            ElapsedMilliseconds = elapsedMilliseconds;
        }

        /// <summary>The image's dataset key ('/'-separated).</summary>
        public string RelativePath { get; }

        /// <summary>SHA-256 of the uploaded bytes.</summary>
        public string Sha256 { get; }

        public string Identity { get; }

        public EmbeddingStatus Status { get; }

        public int Dimension { get; }

        /// <summary>The model name as the server replied it.</summary>
        public string Model { get; }

        /// <summary>The model name as the user asked for it.</summary>
        public string RequestedModel { get; }

        /// <summary>The .npy file, '/'-separated, relative to the model folder; null for a failure to acquire.</summary>
        public string EmbeddingFile { get; }

        /// <summary>Where the image was when it was extracted.</summary>
        public string SourcePath { get; }

        public DateTimeOffset Time { get; }

        public string ModuleVersion { get; }

        /// <summary>Salted fingerprint of the endpoint (never the URL).</summary>
        public string EndpointFingerprint { get; }

        public double ElapsedMilliseconds { get; }

        internal void WriteJsonLine(Stream stream)
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, SkipValidation = false }))
            {
                writer.WriteStartObject();
                writer.WriteString("relativePath", RelativePath);
                writer.WriteString("sha256", Sha256);
                writer.WriteString("identity", Identity);
                writer.WriteString("status", Status.ToString());
                writer.WriteNumber("dimension", Dimension);
                writer.WriteString("model", Model);
                writer.WriteString("requestedModel", RequestedModel);
                writer.WriteString("embedding", EmbeddingFile);
                writer.WriteString("path", SourcePath);
                writer.WriteString("time", Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                writer.WriteString("moduleVersion", ModuleVersion);
                writer.WriteString("endpoint", EndpointFingerprint);
                writer.WriteNumber("elapsedMs", Math.Round(ElapsedMilliseconds, 3));
                writer.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }

        internal static StoreRecord TryParse(ArraySegment<byte> line)
        {
            try
            {
                using (var doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(line.Array, line.Offset, line.Count)))
                {
                    var e = doc.RootElement;
                    if (e.ValueKind != JsonValueKind.Object) { return null; }
                    var relativePath = Str(e, "relativePath");
                    var sha = Str(e, "sha256");
                    var requested = Str(e, "requestedModel");
                    if (relativePath == null || requested == null
                        || !Enum.TryParse(Str(e, "status") ?? string.Empty, ignoreCase: false, out EmbeddingStatus status)
                        || !Enum.IsDefined(typeof(EmbeddingStatus), status))
                    {
                        return null;
                    }

                    var time = DateTimeOffset.TryParse(Str(e, "time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : default;
                    var dimension = e.TryGetProperty("dimension", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : 0;
                    var elapsed = e.TryGetProperty("elapsedMs", out var el) && el.ValueKind == JsonValueKind.Number ? el.GetDouble() : 0;
                    return new StoreRecord(relativePath, sha, Str(e, "identity"), status, dimension, Str(e, "model") ?? requested, requested,
                        Str(e, "embedding"), Str(e, "path"), time, Str(e, "moduleVersion"), Str(e, "endpoint"), elapsed);
                }
            }
            catch (JsonException)
            {
                return null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static string Str(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public override string ToString() => $"{RequestedModel}: {RelativePath} [{Status}]";
    }
}
