using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// What the run need not ask for: results the store already holds (by path, else by content), and requests
    /// already in flight for the same model and content, whose reply duplicates share.
    /// </summary>
    internal sealed class StoreLookup
    {
        private readonly ExtractionRun _run;
        private readonly IndexWriter _index;
        private readonly ConcurrentDictionary<string, Task<Outcome>> _inFlight = new ConcurrentDictionary<string, Task<Outcome>>(StringComparer.Ordinal);

        public StoreLookup(ExtractionRun run, IndexWriter index)
        {
            _run = run;
            _index = index;
        }

        /// <summary>Reads a model's index into a fresh <see cref="ModelState"/> (the store's claim must be held already).</summary>
        public static ModelState Load(ExtractionRun run, string model, ModelStore modelStore)
        {
            var state = new ModelState(model, modelStore);
            var records = modelStore.ReadIndex(out var skipped);
            if (skipped > 0)
            {
                run.Emit(ExtractionEvent.Verbose($"Skipped {skipped} unreadable line(s) in the index of model '{model}' (left by an interrupted write)."));
            }

            var force = run.Options.Force;
            foreach (var record in records)
            {
                if (record.Sha256 != null) { state.BySha[record.Sha256] = record; }
                state.ByRelativePath[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
                if (!force && record.Status == EmbeddingStatus.Success && record.Dimension > 0 && state.Dimension == 0)
                {
                    state.Dimension = record.Dimension;
                }
            }

            if (records.Count > 0)
            {
                run.Emit(ExtractionEvent.Verbose($"Model '{model}': {state.BySha.Count} stored image(s) in the store{(force ? "; -Force extracts again" : string.Empty)}."));
            }

            return state;
        }

        /// <summary>
        /// One request per model and content in this run: the first caller runs <paramref name="request"/>; the others
        /// wait for it and get its outcome with <c>Duplicate</c> set.
        /// </summary>
        public async Task<(Outcome Outcome, bool Duplicate)> ShareAsync(ModelState state, string sha, Func<Task<Outcome>> request)
        {
            var mine = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _inFlight.GetOrAdd(state.Name + "\n" + sha, mine.Task);
            if (!ReferenceEquals(shared, mine.Task))
            {
                return (await shared.ConfigureAwait(false), true);
            }

            try
            {
                var outcome = await request().ConfigureAwait(false);
                mine.TrySetResult(outcome);
                return (outcome, false);
            }
            catch (OperationCanceledException)
            {
                mine.TrySetCanceled();
                throw;
            }
            catch (Exception ex)
            {
                mine.TrySetException(ex);
                throw;
            }
        }

        /// <summary>
        /// Answers the pair from the store when it holds a usable result for these bytes: writes the output (and, for
        /// a new path or label, a new record). False when the pair must be asked for.
        /// </summary>
        public bool TryServe(ExtractionItem item, string key, string sha, ModelState state)
        {
            // Prefer the record of this very path; else the same bytes stored under another path are just as good.
            if (!(state.ByRelativePath.TryGetValue(key, out var record) && record.Sha256 == sha) && !state.BySha.TryGetValue(sha, out record))
            {
                return false;
            }

            var samePath = DatasetPaths.NormalizeKey(record.RelativePath) == key;
            var sameLabel = samePath && record.Identity == item.Identity;
            if (record.Status == EmbeddingStatus.NoFace)
            {
                if (_run.Options.RetryNoFace) { return false; }
                if (!sameLabel)
                {
                    _index.Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.NoFace, 0, record.Model, state.Name, null, item.Path,
                        DateTimeOffset.UtcNow, ModuleInfo.Version, record.EndpointFingerprint, 0));
                }

                _run.Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, record.Model, Array.Empty<float>(),
                    EmbeddingStatus.NoFace, null, sha, TimeSpan.Zero, true)));
                _run.Tally.Answered(fromStore: true);
                _run.Emit(ExtractionEvent.Fail(PairProcessor.NoFace(item, state, record.Time)));
                return true;
            }

            float[] vector;
            var storedPath = record.EmbeddingFile == null ? null : Path.Combine(state.Store.Folder, record.EmbeddingFile.Replace('/', Path.DirectorySeparatorChar));
            try
            {
                vector = storedPath == null ? null : NpyFile.Read(storedPath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                vector = null;
            }

            if (vector == null || vector.Length != record.Dimension)
            {
                _run.Emit(ExtractionEvent.Verbose($"The stored vector of '{record.RelativePath}' for model '{state.Name}' is missing or damaged; extracting it again."));
                return false;
            }

            var embeddingPath = storedPath;
            if (!samePath)
            {
                embeddingPath = state.Store.WriteVector(item.RelativePath, vector);
            }

            if (!sameLabel)
            {
                _index.Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.Success, vector.Length, record.Model, state.Name,
                    ModelStore.StoreRelativeFile(item.RelativePath), item.Path, DateTimeOffset.UtcNow, ModuleInfo.Version, record.EndpointFingerprint, 0));
            }

            _run.Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, record.Model, vector,
                EmbeddingStatus.Success, embeddingPath, sha, TimeSpan.Zero, true)));
            _run.Tally.Answered(fromStore: true);
            _run.Signal();
            return true;
        }
    }
}
