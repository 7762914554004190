using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Runs one extraction: images stream in through <see cref="TryPost"/>, workers read each file once, skip what the
    /// store already holds, send the rest through an <see cref="IEmbeddingBackend"/> (concurrency, pacing, 429 pauses,
    /// retries with backoff), store each result atomically and queue what the caller must write. Workers never talk
    /// to PowerShell: the pipeline thread drains <see cref="TryTake"/> and writes.
    /// </summary>
    /// <remarks>
    /// The facade over the parts of one run: <see cref="ImageWorkers"/> (worker pool and hashing),
    /// <see cref="StoreLookup"/> (store look-up and in-flight de-duplication), <see cref="RequestRunner"/> with
    /// <see cref="FailurePolicy"/> (retries, 429 pauses, stops, driven by <see cref="BackendFailure"/> only),
    /// <see cref="PairProcessor"/> (store and output of one result), <see cref="IndexWriter"/> (index lines) and
    /// <see cref="RunSummary"/> (end-of-run warnings). A session serves one run; it is not reused.
    /// </remarks>
    public sealed class ExtractionSession : IDisposable
    {
        private readonly ExtractionRun _run;
        private readonly ImageWorkers _workers;
        private readonly RequestRunner _requests;
        private readonly Task _completion;
        private readonly List<IDisposable> _claims = new List<IDisposable>();
        private bool _disposed;

        public ExtractionSession(IEmbeddingBackend backend, EmbeddingStore store, ExtractionOptions options)
        {
            if (backend == null) { throw new ArgumentNullException(nameof(backend)); }
            if (store == null) { throw new ArgumentNullException(nameof(store)); }
            if (options == null) { throw new ArgumentNullException(nameof(options)); }
            if (options.Models == null || options.Models.Count == 0) { throw new ArgumentException("At least one model is required.", nameof(options)); }
            if (options.ThrottleLimit < 1) { throw new ArgumentOutOfRangeException(nameof(options), "ThrottleLimit must be at least 1."); }
            var conflict = ModelNames.CaseConflict(options.Models, options.ModelNameComparer);
            if (conflict != null) { throw new ArgumentException(conflict, nameof(options)); }

            _run = new ExtractionRun(backend, options, store.Fingerprint(backend.EndpointIdentity));
            var models = new List<ModelState>();
            try
            {
                foreach (var model in options.Models.Distinct(StringComparer.Ordinal))
                {
                    // Claimed before the index is read: what another run is still storing is never uploaded twice.
                    var modelStore = store.Model(model);
                    _claims.Add(modelStore.ClaimForRun());
                    models.Add(StoreLookup.Load(_run, model, modelStore));
                }
            }
            catch
            {
                ReleaseClaims();
                _run.Dispose();
                throw;
            }

            var index = new IndexWriter(_run);
            _requests = new RequestRunner(_run, models.Count);
            var pairs = new PairProcessor(_run, new StoreLookup(_run, index), _requests, index);
            _workers = new ImageWorkers(_run, models, pairs);
            _completion = Task.Run(async () =>
            {
                try
                {
                    await _workers.Completion.ConfigureAwait(false);
                }
                finally
                {
                    index.Complete();
                    await index.Completion.ConfigureAwait(false);
                    if (!_run.IsCancelled)
                    {
                        foreach (var e in RunSummary.EndOfRun(_run.Tally.LossyImages, models, options.NormTolerance, GetProgress())) { _run.Emit(e); }
                    }

                    _run.Wake(); // always: the caller waits for the end
                }
            });
        }

        /// <summary>True once every worker and the index writer have finished.</summary>
        public bool IsFinished => _completion.IsCompleted;

        /// <summary>True after a stop (Ctrl+C) or a terminating error.</summary>
        public bool IsCancelled => _run.IsCancelled;

        /// <summary>Queues one image; false when the queue is full (drain events, wait for activity, try again).</summary>
        public bool TryPost(ExtractionItem item)
        {
            if (_run.IsCancelled) { return true; }
            return _workers.TryPost(item);
        }

        /// <summary>No more images will come.</summary>
        public void Complete() => _workers.Complete();

        /// <summary>Stops everything in flight (Ctrl+C). What is already stored stays stored.</summary>
        public void Cancel()
        {
            _run.Cancel();
            _workers.Complete();
        }

        /// <summary>Blocks until something happened (an event, room in the queue, the end) or the timeout passed.</summary>
        public void WaitForActivity(TimeSpan timeout) => _run.WaitForActivity(timeout, _completion.IsCompleted);

        /// <summary>Takes the next thing to write, if any.</summary>
        public bool TryTake(out ExtractionEvent item) => _run.TryTake(out item);

        /// <summary>Counts for the progress bar.</summary>
        public ExtractionProgress GetProgress() => _run.Tally.Snapshot(_requests.Pacer);

        /// <summary>Stops and waits for the workers and the index writer (bounded), so nothing stored is lost.</summary>
        public void Dispose()
        {
            if (_disposed) { return; }
            _disposed = true;
            if (!_completion.IsCompleted) { Cancel(); }
            try
            {
                _completion.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
            }

            _run.Backend.Dispose();
            _run.Dispose();
            ReleaseClaims();
        }

        private void ReleaseClaims()
        {
            foreach (var claim in _claims) { claim.Dispose(); }
            _claims.Clear();
        }
    }
}
