using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Embedding
{
    /// <summary>One thing read by <see cref="EmbeddingImport"/>: an embedding, or a problem with one file.</summary>
    public sealed class ImportResult
    {
        private ImportResult(FaceEmbedding embedding, Problem error)
        {
            Embedding = embedding;
            Error = error;
        }

        public FaceEmbedding Embedding { get; }

        public Problem Error { get; }

        internal static ImportResult Of(FaceEmbedding embedding) => new ImportResult(embedding, null);

        internal static ImportResult Of(Problem error) => new ImportResult(null, error);
    }

    /// <summary>
    /// Reads embeddings back: a whole store, one model's folder or index, or loose .npy files (including ones numpy
    /// wrote). Store entries keep what was recorded (relative path, identity, the server's model name, SHA-256,
    /// failures to acquire as <see cref="EmbeddingStatus.NoFace"/>); loose files take their model from the caller and
    /// their identity from their parent folder.
    /// </summary>
    public static class EmbeddingImport
    {
        /// <param name="path">A store folder, a model folder, an index.jsonl, a folder of .npy files, or one .npy file.</param>
        /// <param name="models">Store: only these models (requested or server names). Loose files: the one model name.</param>
        /// <param name="datasetRoot">
        /// Store: where the images are now (Path becomes root + relative path). Loose: the folder relative paths are
        /// taken from (default: parent folder / file name).
        /// </param>
        /// <summary>
        /// The models a store holds (its model folder names, which -Model accepts), sorted; empty when
        /// <paramref name="path"/> is not a store folder (or its store.json) or cannot be read.
        /// </summary>
        public static IReadOnlyList<string> StoredModels(string path)
        {
            try
            {
                var full = Path.GetFullPath(path);
                if (File.Exists(full) && string.Equals(Path.GetFileName(full), EmbeddingStore.MarkerFileName, StringComparison.OrdinalIgnoreCase))
                {
                    full = Path.GetDirectoryName(full);
                }

                if (!Directory.Exists(full) || !EmbeddingStore.IsStore(full)) { return Array.Empty<string>(); }
                return Directory.GetDirectories(full)
                    .Where(d => File.Exists(Path.Combine(d, EmbeddingStore.IndexFileName)))
                    .Select(Path.GetFileName)
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                return Array.Empty<string>();
            }
        }

        /// <summary>The message for a store without the requested models: what it does hold, and a hint when only the case differs.</summary>
        internal static string NothingForModels(string store, IReadOnlyCollection<string> requested, IReadOnlyList<string> held)
        {
            var message = $"The store '{store}' holds nothing for model(s) {string.Join(", ", requested.Select(m => "'" + m + "'"))}";
            if (held.Count == 0) { return message + "; it holds no model yet."; }
            message += $"; it holds {string.Join(", ", held.Select(m => "'" + m + "'"))}.";
            var caseOnly = requested.Where(r => !held.Contains(r, StringComparer.Ordinal) && held.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
            if (caseOnly.Count > 0) { message += " Model names are case-sensitive."; }
            return message;
        }

        public static IEnumerable<ImportResult> Read(string path, IReadOnlyCollection<string> models, string datasetRoot)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                if (EmbeddingStore.IsStore(full))
                {
                    var store = EmbeddingStore.Open(full);
                    var any = false;
                    foreach (var modelStore in store.ExistingModels())
                    {
                        foreach (var result in ReadModel(modelStore, models, datasetRoot))
                        {
                            any = true;
                            yield return result;
                        }
                    }

                    if (!any && models != null && models.Count > 0)
                    {
                        yield return NotFound(full, NothingForModels(full, models, StoredModels(full)));
                    }

                    yield break;
                }

                if (File.Exists(Path.Combine(full, EmbeddingStore.IndexFileName)))
                {
                    foreach (var result in ReadModel(new ModelStore(full, Path.GetFileName(full)), models, datasetRoot)) { yield return result; }
                    yield break;
                }

                var files = Directory.GetFiles(full, "*.npy", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal))
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    yield return NotFound(full, $"'{full}' holds no embedding store and no .npy files.");
                    yield break;
                }

                var model = LooseModel(full, models, out var problem);
                if (problem != null) { yield return problem; yield break; }
                foreach (var file in files) { yield return ReadLoose(file, model, datasetRoot); }
                yield break;
            }

            if (!File.Exists(full))
            {
                yield return NotFound(full, $"Cannot find '{full}'.");
                yield break;
            }

            var name = Path.GetFileName(full);
            if (string.Equals(name, EmbeddingStore.IndexFileName, StringComparison.OrdinalIgnoreCase))
            {
                var folder = Path.GetDirectoryName(full);
                foreach (var result in ReadModel(new ModelStore(folder, Path.GetFileName(folder)), models, datasetRoot)) { yield return result; }
                yield break;
            }

            if (string.Equals(name, EmbeddingStore.MarkerFileName, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var result in Read(Path.GetDirectoryName(full), models, datasetRoot)) { yield return result; }
                yield break;
            }

            if (!full.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                yield return ImportResult.Of(new Problem("UnsupportedFile", ProblemCategory.InvalidArgument,
                    new InvalidDataException($"'{full}' is neither a .npy file nor part of an embedding store."), full));
                yield break;
            }

            var looseModel = LooseModel(full, models, out var modelProblem);
            if (modelProblem != null) { yield return modelProblem; yield break; }
            yield return ReadLoose(full, looseModel, datasetRoot);
        }

        private static string LooseModel(string target, IReadOnlyCollection<string> models, out ImportResult problem)
        {
            problem = null;
            if (models != null && models.Count == 1) { return models.First(); }
            problem = ImportResult.Of(new Problem("ModelRequired", ProblemCategory.InvalidArgument,
                new ArgumentException($"'{target}' holds loose .npy files, which do not say which model made them: name exactly one with -Model."), target));
            return null;
        }

        private static IEnumerable<ImportResult> ReadModel(ModelStore modelStore, IReadOnlyCollection<string> models, string datasetRoot)
        {
            List<StoreRecord> records;
            try
            {
                records = modelStore.ReadIndex(out _);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return new[] { ImportResult.Of(new Problem("IndexUnreadable", ProblemCategory.ReadError, ex, modelStore.IndexPath)) };
            }

            // The index is append-only: the last record of a relative path is the current one.
            var latest = new Dictionary<string, StoreRecord>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                if (models != null && models.Count > 0 && !models.Contains(record.RequestedModel) && !models.Contains(record.Model)
                    && !models.Contains(modelStore.RequestedModel))
                {
                    continue;
                }

                latest[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
            }

            return latest.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => FromRecord(modelStore, kv.Value, datasetRoot));
        }

        private static ImportResult FromRecord(ModelStore modelStore, StoreRecord record, string datasetRoot)
        {
            var unsafePath = StorePaths.CheckRecord(modelStore.Folder, record);
            if (unsafePath != null) { return unsafePath; }
            var imagePath = !string.IsNullOrEmpty(datasetRoot)
                ? Path.Combine(Path.GetFullPath(datasetRoot), record.RelativePath.Replace('/', Path.DirectorySeparatorChar))
                : StorePaths.TrustedSourcePath(record) ?? record.RelativePath;
            var elapsed = TimeSpan.FromMilliseconds(record.ElapsedMilliseconds);
            if (record.Status == EmbeddingStatus.NoFace)
            {
                return ImportResult.Of(new FaceEmbedding(imagePath, record.RelativePath, record.Identity, record.Model, Array.Empty<float>(),
                    EmbeddingStatus.NoFace, null, record.Sha256, elapsed, true));
            }

            var file = Path.Combine(modelStore.Folder, (record.EmbeddingFile ?? ModelStore.StoreRelativeFile(record.RelativePath)).Replace('/', Path.DirectorySeparatorChar));
            try
            {
                var vector = NpyFile.Read(file);
                if (record.Dimension > 0 && vector.Length != record.Dimension)
                {
                    throw new InvalidDataException($"'{file}' holds {vector.Length} values; the index says {record.Dimension}.");
                }

                return ImportResult.Of(new FaceEmbedding(imagePath, record.RelativePath, record.Identity, record.Model, vector,
                    EmbeddingStatus.Success, file, record.Sha256, elapsed, true));
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                return ImportResult.Of(new Problem("FileNotFound", ProblemCategory.ObjectNotFound,
                    new FileNotFoundException($"The index of model '{modelStore.RequestedModel}' lists '{record.RelativePath}', but '{file}' is missing.", file), file));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                return FileProblem(ex, file);
            }
        }

        // A FIFO or device, or a file too big to be an embedding, says so; anything else unreadable is an invalid file.
        private static ImportResult FileProblem(Exception ex, string file)
        {
            if (ex is InsightFaceEval.IO.NotARegularFileException)
            {
                return ImportResult.Of(new Problem("NotARegularFile", ProblemCategory.InvalidArgument, ex, file));
            }

            if (ex is InsightFaceEval.IO.FileTooLargeException)
            {
                return ImportResult.Of(new Problem("FileTooLarge", ProblemCategory.LimitsExceeded, ex, file));
            }

            return ImportResult.Of(new Problem("InvalidFile", ProblemCategory.InvalidData, ex, file));
        }

        private static ImportResult ReadLoose(string file, string model, string datasetRoot)
        {
            float[] vector;
            try
            {
                vector = NpyFile.Read(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                return FileProblem(ex, file);
            }

            // The key the image had: "alice/img1.png.npy" -> "alice/img1.png", "alice/img1.npy" -> "alice/img1".
            var key = !string.IsNullOrEmpty(datasetRoot) && DatasetPaths.IsUnder(file, datasetRoot)
                ? DatasetPaths.Relative(datasetRoot, file)
                : (DatasetPaths.IdentityOf(file) is string parent && parent.Length > 0 ? parent + "/" : string.Empty) + Path.GetFileName(file);
            key = key.Substring(0, key.Length - 4);
            var status = vector.Length == 0 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success;
            return ImportResult.Of(new FaceEmbedding(file, key, DatasetPaths.IdentityOf(file), model, vector, status,
                status == EmbeddingStatus.Success ? file : null, null, TimeSpan.Zero, true));
        }

        private static ImportResult NotFound(string target, string message) =>
            ImportResult.Of(new Problem("NothingFound", ProblemCategory.ObjectNotFound, new FileNotFoundException(message, target), target));
    }
}
