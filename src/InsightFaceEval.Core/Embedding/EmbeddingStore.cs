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
    /// <summary>
    /// The folder Get-FaceEmbedding writes and Import-FaceEmbedding reads:
    /// <code>
    /// store.json                         format marker and the salt for endpoint fingerprints
    /// &lt;model&gt;/index.jsonl              one JSON object per line per stored result (append-only, last line wins)
    /// &lt;model&gt;/&lt;relative path&gt;.npy     one float32 vector per image, as np.save writes it
    /// </code>
    /// Files are written under a temporary name and renamed, index lines are appended under an exclusive lock, so
    /// an interrupted run or two runs at once never leave a half-written file or interleaved lines.
    /// </summary>
    public sealed class EmbeddingStore
    {
        public const string MarkerFileName = "store.json";
        public const string IndexFileName = "index.jsonl";
        public const string FormatName = "InsightFaceEval.EmbeddingStore";

        private readonly ConcurrentDictionary<string, ModelStore> _models = new ConcurrentDictionary<string, ModelStore>(StringComparer.Ordinal);
        private readonly byte[] _salt;

        private EmbeddingStore(string root, byte[] salt)
        {
            Root = root;
            _salt = salt;
        }

        /// <summary>Full path of the store folder.</summary>
        public string Root { get; }

        /// <summary>True when <paramref name="folder"/> holds a store marker.</summary>
        public static bool IsStore(string folder) => File.Exists(Path.Combine(folder, MarkerFileName));

        /// <summary>Opens the store in <paramref name="root"/>, creating it (and its salt) when it does not exist yet.</summary>
        public static EmbeddingStore OpenOrCreate(string root)
        {
            root = Path.GetFullPath(root);
            Directory.CreateDirectory(root);
            var marker = Path.Combine(root, MarkerFileName);
            for (var attempt = 0; ; attempt++)
            {
                if (File.Exists(marker))
                {
                    try
                    {
                        return new EmbeddingStore(root, ReadSalt(marker));
                    }
                    catch (IOException) when (attempt < 20)
                    {
                        // Another run may be creating the marker right now.
                        Thread.Sleep(25);
                        continue;
                    }
                }

                var salt = new byte[16];
                using (var rng = RandomNumberGenerator.Create()) { rng.GetBytes(salt); }
                var json = "{\"format\":\"" + FormatName + "\",\"version\":1,\"salt\":\"" + Hex(salt) + "\"}\n";
                var temp = TempName(marker);
                File.WriteAllText(temp, json, new UTF8Encoding(false));
                try
                {
                    File.Move(temp, marker);
                    return new EmbeddingStore(root, salt);
                }
                catch (IOException) when (File.Exists(marker))
                {
                    // Lost the race to another run: use its salt.
                    TryDelete(temp);
                }
            }
        }

        /// <summary>Opens an existing store for reading.</summary>
        public static EmbeddingStore Open(string root)
        {
            root = Path.GetFullPath(root);
            return new EmbeddingStore(root, ReadSalt(Path.Combine(root, MarkerFileName)));
        }

        private static byte[] ReadSalt(string marker)
        {
            using (var doc = JsonDocument.Parse(SharedFile.ReadAllBytes(marker)))
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName
                    || !root.TryGetProperty("salt", out var salt) || salt.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"'{marker}' is not an InsightFaceEval embedding store marker.");
                }

                return FromHex(salt.GetString());
            }
        }

        /// <summary>
        /// A salted fingerprint of an endpoint: equal for equal endpoints within this store, and useless for finding
        /// the URL (the salt is random per store, and only part of an HMAC is kept).
        /// </summary>
        public string Fingerprint(string endpointIdentity)
        {
            using (var hmac = new HMACSHA256(_salt))
            {
                var hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(endpointIdentity ?? string.Empty));
                return Hex(hash).Substring(0, 16);
            }
        }

        /// <summary>The part of the store for one model (as the user names it).</summary>
        public ModelStore Model(string requestedModel) =>
            _models.GetOrAdd(requestedModel, m => new ModelStore(Path.Combine(Root, SafeSegment(m)), m));

        /// <summary>The model folders present in the store.</summary>
        public IReadOnlyList<ModelStore> ExistingModels()
        {
            var result = new List<ModelStore>();
            foreach (var dir in Directory.GetDirectories(Root).OrderBy(d => d, StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, IndexFileName)))
                {
                    result.Add(new ModelStore(dir, Path.GetFileName(dir)));
                }
            }

            return result;
        }

        // Path.GetInvalidFileNameChars returns a new array on every call; this runs for every stored vector.
        private static readonly HashSet<char> UnsafeFileNameChars = new HashSet<char>(Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }));

        internal static string SafeSegment(string segment)
        {
            var chars = segment.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (UnsafeFileNameChars.Contains(chars[i])) { chars[i] = '_'; }
            }

            var safe = new string(chars).Trim();
            if (safe.Length == 0 || safe == "." || safe == "..") { safe = "_" + safe; }
            return safe;
        }

        internal static string TempName(string path) =>
            Path.Combine(Path.GetDirectoryName(path), "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");

        internal static void TryDelete(string path)
        {
            try { File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        internal static string Hex(byte[] bytes)
        {
            // Once per image on the hot path: one char buffer, not a string per byte.
            const string digits = "0123456789abcdef";
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[(2 * i) + 1] = digits[bytes[i] & 0xF];
            }

            return new string(chars);
        }

        private static byte[] FromHex(string hex)
        {
            if (hex.Length % 2 != 0) { throw new InvalidDataException("The store's salt is not hex."); }
            var bytes = new byte[hex.Length / 2];
            for (var i = 0; i < bytes.Length; i++) { bytes[i] = byte.Parse(hex.Substring(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture); }
            return bytes;
        }

        public override string ToString() => Root;
    }
}
