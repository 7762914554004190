using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// One image with one model: from the store if it holds the result, else from the one request per content this
    /// run makes; the result is stored (vector file, then index line) and written out, or reported as a problem.
    /// </summary>
    internal sealed class PairProcessor
    {
        private readonly ExtractionRun _run;
        private readonly StoreLookup _lookup;
        private readonly RequestRunner _requests;
        private readonly IndexWriter _index;
        private readonly ConcurrentDictionary<string, bool> _multipleFacesWarned = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        public PairProcessor(ExtractionRun run, StoreLookup lookup, RequestRunner requests, IndexWriter index)
        {
            _run = run;
            _lookup = lookup;
            _requests = requests;
            _index = index;
        }

        public async Task ProcessAsync(ExtractionItem item, byte[] bytes, string sha, ModelState state, CancellationToken token)
        {
            if (state.Rejected)
            {
                // The model was refused (and reported once): its other images are not sent.
                Skip();
                return;
            }

            var key = DatasetPaths.NormalizeKey(item.RelativePath);
            if (!_run.Options.Force && _lookup.TryServe(item, key, sha, state)) { return; }

            var (outcome, duplicate) = await _lookup.ShareAsync(state, sha, () => _requests.RequestAsync(item, bytes, sha, state, token)).ConfigureAwait(false);
            if (outcome.Skipped)
            {
                Skip();
                return;
            }

            if (outcome.Error != null)
            {
                var error = outcome.Error;
                _run.Fail(new Problem(error.Id, error.Category, error.Exception, item.Path, false, error.RecommendedAction), 1);
                return;
            }

            var reply = outcome.Reply;
            if (reply.FaceCount > 1 && !AcceptSeveralFaces(item, state, reply.FaceCount)) { return; }
            var serverModel = string.IsNullOrEmpty(reply.ModelName) ? state.Name : reply.ModelName;
            var now = DateTimeOffset.UtcNow;
            if (reply.Feature.Length == 0)
            {
                _index.Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.NoFace, 0, serverModel, state.Name, null, item.Path,
                    now, ModuleInfo.Version, _run.EndpointFingerprint, outcome.Elapsed.TotalMilliseconds));
                _run.Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, serverModel, reply.Feature,
                    EmbeddingStatus.NoFace, null, sha, outcome.Elapsed, duplicate)));
                _run.Tally.Answered(duplicate);
                _run.Emit(ExtractionEvent.Fail(NoFace(item, state, recordedOn: null)));
                return;
            }

            CheckNorm(state, reply.Feature);
            var storeFile = ModelStore.StoreRelativeFile(item.RelativePath);
            var embeddingPath = state.Store.WriteStoreFile(storeFile, reply.Feature);
            _index.Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.Success, reply.Feature.Length, serverModel, state.Name,
                storeFile, item.Path, now, ModuleInfo.Version, _run.EndpointFingerprint, outcome.Elapsed.TotalMilliseconds));
            _run.Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, serverModel, reply.Feature,
                EmbeddingStatus.Success, embeddingPath, sha, outcome.Elapsed, duplicate)));
            _run.Tally.Answered(duplicate);
            _run.Signal();
        }

        /// <summary>The failure to acquire written for a pair whose model found no face (now, or as the store recorded).</summary>
        public static Problem NoFace(ExtractionItem item, ModelState state, DateTimeOffset? recordedOn)
        {
            var when = recordedOn.HasValue
                ? $" (stored on {recordedOn.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; -RetryNoFace asks again)"
                : string.Empty;
            return new Problem("NoFace", ProblemCategory.ObjectNotFound,
                new InvalidOperationException($"Model '{state.Name}' found no face in '{item.RelativePath}'{when}. It counts as a failure to acquire."),
                item.Path, false, "Check the crop: one face, about 10% margin each side, saved as PNG.");
        }

        /// <summary>
        /// A crop in which the local detector found several faces: one was embedded. Warns once per image, or, under
        /// <see cref="ExtractionOptions.RequireOneFace"/>, fails the pair and stores nothing.
        /// </summary>
        private bool AcceptSeveralFaces(ExtractionItem item, ModelState state, int faces)
        {
            if (_run.Options.RequireOneFace)
            {
                _run.Fail(new Problem("MultipleFaces", ProblemCategory.InvalidData,
                    new InvalidDataException($"'{item.RelativePath}' holds {faces} faces; -FaceSelection RequireOne accepts crops with exactly one, so model '{state.Name}' stored nothing for it."),
                    item.Path, false, "Crop one face per image with New-FaceCrop, or choose another -FaceSelection."), 1);
                return false;
            }

            if (_multipleFacesWarned.TryAdd(item.Path, true))
            {
                _run.Emit(ExtractionEvent.Warning(
                    $"'{item.RelativePath}' holds {faces} faces; the local model embedded only one (-FaceSelection picks which). A group photo is not a face crop: crop single faces with New-FaceCrop, or pass -FaceSelection RequireOne to refuse such images."));
            }

            return true;
        }

        /// <summary>A pair not attempted because its model was refused: it counts as done and failed, reported once per model.</summary>
        private void Skip()
        {
            _run.Tally.Failed(1);
            _run.Signal();
        }

        private void CheckNorm(ModelState state, float[] vector)
        {
            double sum = 0;
            foreach (var v in vector) { sum += (double)v * v; }
            var norm = Math.Sqrt(sum);
            if (Math.Abs(norm - 1) <= _run.Options.NormTolerance) { return; }
            if (Interlocked.Increment(ref state.OffNormCount) == 1) { state.ExampleNorm = norm; }
        }
    }
}
