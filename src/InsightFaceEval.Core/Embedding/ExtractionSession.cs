using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using InsightFaceEval.IO;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Runs one extraction: images stream in through <see cref="TryPost"/>, workers read each file once, skip what the
    /// store already holds, send the rest through an <see cref="IEmbeddingBackend"/> (concurrency, pacing, 429 pauses,
    /// retries with backoff), store each result atomically and queue what the caller must write. Workers never talk
    /// to PowerShell: the pipeline thread drains <see cref="TryTake"/> and writes.
    /// </summary>
    public sealed class ExtractionSession : IDisposable
    {
        private readonly IEmbeddingBackend _backend;
        private readonly EmbeddingStore _store;
        private readonly ExtractionOptions _options;
        private readonly string _endpointFingerprint;
        private readonly Channel<ExtractionItem> _input;
        private readonly Channel<PendingRecord> _records = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ConcurrentQueue<ExtractionEvent> _events = new ConcurrentQueue<ExtractionEvent>();
        private readonly AutoResetEvent _activity = new AutoResetEvent(false);
        private int _callerWaiting;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly ConcurrentDictionary<string, Task<Outcome>> _inFlight = new ConcurrentDictionary<string, Task<Outcome>>(StringComparer.Ordinal);
        private readonly Dictionary<string, ModelState> _models = new Dictionary<string, ModelState>(StringComparer.Ordinal);
        private readonly RequestPacer _pacer;
        private readonly SemaphoreSlim _requestSlots;
        private readonly RetryBackoff _backoff;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Task _completion;
        private readonly TaskCompletionSource<bool> _inputDone = new TaskCompletionSource<bool>();
        private int _terminated;
        private long _total;
        private long _completed;
        private long _uploaded;
        private long _fromStore;
        private long _failed;
        private long _requests;
        private long _lossyImages;
        private int _anySucceeded;
        private int _rejectedModels;
        private readonly ConcurrentDictionary<string, bool> _multipleFacesWarned = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        private bool _disposed;

        private readonly List<IDisposable> _claims = new List<IDisposable>();

        public ExtractionSession(IEmbeddingBackend backend, EmbeddingStore store, ExtractionOptions options)
        {
            _backend = backend ?? throw new ArgumentNullException(nameof(backend));
            _store = store ?? throw new ArgumentNullException(nameof(store));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (options.Models == null || options.Models.Count == 0) { throw new ArgumentException("At least one model is required.", nameof(options)); }
            if (options.ThrottleLimit < 1) { throw new ArgumentOutOfRangeException(nameof(options), "ThrottleLimit must be at least 1."); }
            var conflict = ModelNames.CaseConflict(options.Models, options.ModelNameComparer);
            if (conflict != null) { throw new ArgumentException(conflict, nameof(options)); }

            _endpointFingerprint = store.Fingerprint(backend.EndpointIdentity);
            _pacer = new RequestPacer(options.MaxRequestsPerSecond);
            _backoff = new RetryBackoff(options.RetryBaseDelay, options.RetryMaximumDelay);
            try
            {
                foreach (var model in options.Models.Distinct(StringComparer.Ordinal))
                {
                    // Claimed before the index is read: what another run is still storing is never uploaded twice.
                    _claims.Add(store.Model(model).ClaimForRun());
                    _models[model] = LoadModelState(model);
                }
            }
            catch
            {
                ReleaseClaims();
                throw;
            }

            // Items are only paths, so the pipeline may run well ahead of the workers: the pipeline thread then
            // hands over input in bursts instead of waking for every item. Bounded, so memory stays flat.
            _input = Channel.CreateBounded<ExtractionItem>(new BoundedChannelOptions(Math.Max(1024, options.ThrottleLimit * 64))
            {
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });

            // Twice as many workers as request slots: while some wait for replies, others read, hash and store.
            _requestSlots = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
            var workers = new Task[(options.ThrottleLimit * 2) + 1];
            for (var i = 0; i < workers.Length; i++) { workers[i] = Task.Run(WorkerAsync); }
            var writer = Task.Run(RecordWriterAsync);
            _completion = Task.Run(async () =>
            {
                try
                {
                    await Task.WhenAll(workers).ConfigureAwait(false);
                }
                finally
                {
                    _records.Writer.TryComplete();
                    await writer.ConfigureAwait(false);
                    if (!_cancel.IsCancellationRequested) { EmitEndOfRunWarnings(); }
                    _activity.Set(); // always: the caller waits for the end
                }
            });
        }

        /// <summary>True once every worker and the index writer have finished.</summary>
        public bool IsFinished => _completion.IsCompleted;

        /// <summary>True after a stop (Ctrl+C) or a terminating error.</summary>
        public bool IsCancelled => _cancel.IsCancellationRequested;

        /// <summary>Queues one image; false when the queue is full (drain events, wait for activity, try again).</summary>
        public bool TryPost(ExtractionItem item)
        {
            if (_cancel.IsCancellationRequested) { return true; }
            if (!_input.Writer.TryWrite(item)) { return false; }
            Interlocked.Add(ref _total, _models.Count);
            return true;
        }

        /// <summary>No more images will come.</summary>
        public void Complete()
        {
            _input.Writer.TryComplete();
            _inputDone.TrySetResult(true);
        }

        /// <summary>Stops everything in flight (Ctrl+C). What is already stored stays stored.</summary>
        public void Cancel()
        {
            try { _cancel.Cancel(); }
            catch (ObjectDisposedException) { }
            _input.Writer.TryComplete();
            _activity.Set(); // always: the caller must see the stop
        }

        /// <summary>Blocks until something happened (an event, room in the queue, the end) or the timeout passed.</summary>
        public void WaitForActivity(TimeSpan timeout)
        {
            // Workers only signal while the caller sleeps here, so a busy caller is not woken once per event.
            Interlocked.Exchange(ref _callerWaiting, 1);
            if (_events.IsEmpty && !_completion.IsCompleted && !_cancel.IsCancellationRequested)
            {
                _activity.WaitOne(timeout);
            }

            Volatile.Write(ref _callerWaiting, 0);
        }

        private void Signal()
        {
            if (Volatile.Read(ref _callerWaiting) == 1 && Interlocked.Exchange(ref _callerWaiting, 0) == 1)
            {
                _activity.Set();
            }
        }

        /// <summary>Takes the next thing to write, if any.</summary>
        public bool TryTake(out ExtractionEvent item) => _events.TryDequeue(out item);

        /// <summary>Counts for the progress bar.</summary>
        public ExtractionProgress GetProgress() =>
            new ExtractionProgress(
                Interlocked.Read(ref _total), Interlocked.Read(ref _completed), Interlocked.Read(ref _uploaded),
                Interlocked.Read(ref _fromStore), Interlocked.Read(ref _failed), Interlocked.Read(ref _requests),
                _clock.Elapsed, _pacer.PausedFor, _pacer.CurrentRate);

        private ModelState LoadModelState(string model)
        {
            var modelStore = _store.Model(model);
            var state = new ModelState(model, modelStore);
            var records = modelStore.ReadIndex(out var skipped);
            if (skipped > 0)
            {
                Emit(ExtractionEvent.Verbose($"Skipped {skipped} unreadable line(s) in the index of model '{model}' (left by an interrupted write)."));
            }

            foreach (var record in records)
            {
                if (record.Sha256 != null) { state.BySha[record.Sha256] = record; }
                state.ByRelativePath[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
                if (!_options.Force && record.Status == EmbeddingStatus.Success && record.Dimension > 0 && state.Dimension == 0)
                {
                    state.Dimension = record.Dimension;
                }
            }

            if (records.Count > 0)
            {
                Emit(ExtractionEvent.Verbose($"Model '{model}': {state.BySha.Count} stored image(s) in the store{(_options.Force ? "; -Force extracts again" : string.Empty)}."));
            }

            return state;
        }

        private async Task WorkerAsync()
        {
            var token = _cancel.Token;
            try
            {
                while (await _input.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    while (_input.Reader.TryRead(out var item))
                    {
                        Signal(); // room in the queue
                        try
                        {
                            await ProcessImageAsync(item, token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (!(ex is OperationCanceledException))
                        {
                            // A defect must not take the other images down with it.
                            Fail(new Problem("UnexpectedError", ProblemCategory.NotSpecified,
                                new InvalidOperationException($"Unexpected {ex.GetType().Name} while embedding '{item.RelativePath}': {ex.Message}", ex), item.Path), 0);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }

        private async Task ProcessImageAsync(ExtractionItem item, CancellationToken token)
        {
            byte[] bytes;
            try
            {
                bytes = InsightFaceEval.IO.RegularFile.ReadAllBytes(item.Path, InsightFaceEval.Imaging.ImageLoader.MaxFileBytes, "an image");
            }
            catch (InsightFaceEval.IO.NotARegularFileException ex)
            {
                Fail(new Problem("NotARegularFile", ProblemCategory.InvalidArgument, ex, item.Path), _models.Count);
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                var notFound = ex is FileNotFoundException || ex is DirectoryNotFoundException;
                Fail(new Problem(notFound ? "FileNotFound" : "FileUnreadable", notFound ? ProblemCategory.ObjectNotFound : ProblemCategory.ReadError,
                    new IOException($"Cannot read '{item.Path}': {ex.Message}", ex), item.Path), _models.Count);
                return;
            }

            if (!ImageFormats.IsImage(bytes))
            {
                // A text file or an error page saved as .png: the server would only answer 422, after the upload.
                Fail(new Problem("NotAnImage", ProblemCategory.InvalidData,
                    new InvalidDataException($"'{item.Path}' is not an image: it does not start as a PNG, JPEG, WebP, BMP, GIF or TIFF file does. " +
                        (_backend.IsLocal ? "It was not embedded." : "Nothing was sent.")),
                    item.Path, false, "Pass face crops (the PNG files New-FaceCrop writes); check that the file was not renamed or truncated."), _models.Count);
                return;
            }

            string sha;
            sha = EmbeddingStore.Hex(Sha256OfThisThread.ComputeHash(bytes));
            if (ImageFormats.IsLossy(bytes)) { Interlocked.Increment(ref _lossyImages); }

            foreach (var state in _models.Values)
            {
                token.ThrowIfCancellationRequested();
                try
                {
                    await ProcessPairAsync(item, bytes, sha, state, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    Fail(new Problem("StoreWriteFailed", ProblemCategory.WriteError,
                        new IOException($"Could not store the embedding of '{item.RelativePath}' for model '{state.Name}': {ex.Message}", ex), item.Path), 1);
                }
            }
        }

        private async Task ProcessPairAsync(ExtractionItem item, byte[] bytes, string sha, ModelState state, CancellationToken token)
        {
            if (state.Rejected)
            {
                // The model was refused (and reported once): its other images are not sent.
                Skip();
                return;
            }

            var key = DatasetPaths.NormalizeKey(item.RelativePath);
            if (!_options.Force && TryServeFromStore(item, key, sha, state)) { return; }

            // One request per model and content in this run: duplicates wait for the first and reuse its reply.
            var mine = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _inFlight.GetOrAdd(state.Name + "\n" + sha, mine.Task);
            Outcome outcome;
            var duplicate = !ReferenceEquals(shared, mine.Task);
            if (duplicate)
            {
                outcome = await shared.ConfigureAwait(false);
            }
            else
            {
                try
                {
                    outcome = await RequestAsync(item, bytes, sha, state, token).ConfigureAwait(false);
                    mine.TrySetResult(outcome);
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

            if (outcome.Skipped)
            {
                Skip();
                return;
            }

            if (outcome.Error != null)
            {
                var error = outcome.Error;
                Fail(new Problem(error.Id, error.Category, error.Exception, item.Path, false, error.RecommendedAction), 1);
                return;
            }

            var reply = outcome.Reply;
            if (reply.FaceCount > 1 && !AcceptSeveralFaces(item, state, reply.FaceCount)) { return; }
            var serverModel = string.IsNullOrEmpty(reply.ModelName) ? state.Name : reply.ModelName;
            var now = DateTimeOffset.UtcNow;
            if (reply.Feature.Length == 0)
            {
                Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.NoFace, 0, serverModel, state.Name, null, item.Path,
                    now, ModuleInfo.Version, _endpointFingerprint, outcome.Elapsed.TotalMilliseconds));
                Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, serverModel, reply.Feature,
                    EmbeddingStatus.NoFace, null, sha, outcome.Elapsed, duplicate)));
                Count(duplicate);
                NoFace(item, state, recordedOn: null);
                return;
            }

            CheckNorm(state, reply.Feature);
            var storeFile = ModelStore.StoreRelativeFile(item.RelativePath);
            var embeddingPath = state.Store.WriteStoreFile(storeFile, reply.Feature);
            Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.Success, reply.Feature.Length, serverModel, state.Name,
                storeFile, item.Path, now, ModuleInfo.Version, _endpointFingerprint, outcome.Elapsed.TotalMilliseconds));
            Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, serverModel, reply.Feature,
                EmbeddingStatus.Success, embeddingPath, sha, outcome.Elapsed, duplicate)));
            Count(duplicate);
        }

        /// <summary>
        /// A crop in which the local detector found several faces: one was embedded. Warns once per image, or, under
        /// <see cref="ExtractionOptions.RequireOneFace"/>, fails the pair and stores nothing.
        /// </summary>
        private bool AcceptSeveralFaces(ExtractionItem item, ModelState state, int faces)
        {
            if (_options.RequireOneFace)
            {
                Fail(new Problem("MultipleFaces", ProblemCategory.InvalidData,
                    new InvalidDataException($"'{item.RelativePath}' holds {faces} faces; -FaceSelection RequireOne accepts crops with exactly one, so model '{state.Name}' stored nothing for it."),
                    item.Path, false, "Crop one face per image with New-FaceCrop, or choose another -FaceSelection."), 1);
                return false;
            }

            if (_multipleFacesWarned.TryAdd(item.Path, true))
            {
                Emit(ExtractionEvent.Warning(
                    $"'{item.RelativePath}' holds {faces} faces; the local model embedded only one (-FaceSelection picks which). A group photo is not a face crop: crop single faces with New-FaceCrop, or pass -FaceSelection RequireOne to refuse such images."));
            }

            return true;
        }

        /// <summary>A pair not attempted because its model was refused: it counts as done and failed, reported once per model.</summary>
        private void Skip()
        {
            Interlocked.Increment(ref _failed);
            Interlocked.Increment(ref _completed);
            Signal();
        }

        private void Count(bool duplicate)
        {
            if (duplicate) { Interlocked.Increment(ref _fromStore); }
            else { Interlocked.Increment(ref _uploaded); }
            Interlocked.Increment(ref _completed);
            Signal();
        }

        private bool TryServeFromStore(ExtractionItem item, string key, string sha, ModelState state)
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
                if (_options.RetryNoFace) { return false; }
                if (!sameLabel)
                {
                    Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.NoFace, 0, record.Model, state.Name, null, item.Path,
                        DateTimeOffset.UtcNow, ModuleInfo.Version, record.EndpointFingerprint, 0));
                }

                Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, record.Model, Array.Empty<float>(),
                    EmbeddingStatus.NoFace, null, sha, TimeSpan.Zero, true)));
                Count(true);
                NoFace(item, state, record.Time);
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
                Emit(ExtractionEvent.Verbose($"The stored vector of '{record.RelativePath}' for model '{state.Name}' is missing or damaged; extracting it again."));
                return false;
            }

            var embeddingPath = storedPath;
            if (!samePath)
            {
                embeddingPath = state.Store.WriteVector(item.RelativePath, vector);
            }

            if (!sameLabel)
            {
                Record(state, new StoreRecord(item.RelativePath, sha, item.Identity, EmbeddingStatus.Success, vector.Length, record.Model, state.Name,
                    ModelStore.StoreRelativeFile(item.RelativePath), item.Path, DateTimeOffset.UtcNow, ModuleInfo.Version, record.EndpointFingerprint, 0));
            }

            Emit(ExtractionEvent.Output(new FaceEmbedding(item.Path, item.RelativePath, item.Identity, record.Model, vector,
                EmbeddingStatus.Success, embeddingPath, sha, TimeSpan.Zero, true)));
            Count(true);
            return true;
        }

        private void NoFace(ExtractionItem item, ModelState state, DateTimeOffset? recordedOn)
        {
            var when = recordedOn.HasValue
                ? $" (stored on {recordedOn.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; -RetryNoFace asks again)"
                : string.Empty;
            _events.Enqueue(ExtractionEvent.Fail(new Problem("NoFace", ProblemCategory.ObjectNotFound,
                new InvalidOperationException($"Model '{state.Name}' found no face in '{item.RelativePath}'{when}. It counts as a failure to acquire."),
                item.Path, false, "Check the crop: one face, about 10% margin each side, saved as PNG.")));
            Signal();
        }

        private async Task<Outcome> RequestAsync(ExtractionItem item, byte[] bytes, string sha, ModelState state, CancellationToken token)
        {
            var fileName = _options.SendFileName ? Path.GetFileName(item.Path) : sha + Path.GetExtension(item.Path).ToLowerInvariant();
            var request = new EmbeddingRequest(state.Name, bytes, fileName, sha);
            var failures = 0;
            var rateLimited = 0;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                var probing = await state.EnterAsync(_backend.ModelsNeedConfirmation, token).ConfigureAwait(false);
                try
                {
                    if (state.Rejected) { return Outcome.Skip; }
                    FeatureReply reply = null;
                    EmbeddingBackendException failure = null;
                    var watch = new Stopwatch();

                    // A slot is held for the request alone: reading files, hashing and storing happen outside it, so
                    // ThrottleLimit requests stay in flight while other workers do the local work.
                    await _requestSlots.WaitAsync(token).ConfigureAwait(false);
                    try
                    {
                        await _pacer.WaitAsync(token).ConfigureAwait(false);
                        Interlocked.Increment(ref _requests);
                        watch.Start();
                        reply = await _backend.EmbedAsync(request, token).ConfigureAwait(false);
                        watch.Stop();
                    }
                    catch (EmbeddingBackendException ex)
                    {
                        failure = ex;
                    }
                    finally
                    {
                        _requestSlots.Release();
                    }

                    if (failure == null)
                    {
                        failure = Validate(reply, state);
                        if (failure == null)
                        {
                            state.Confirmed = true;
                            Volatile.Write(ref _anySucceeded, 1);
                            _pacer.OnSuccess();
                            CheckModelName(state, reply.ModelName);
                            return new Outcome(reply, watch.Elapsed, null);
                        }
                    }

                    switch (failure.Failure)
                    {
                        case BackendFailure.RateLimited:
                        {
                            if (++rateLimited > _options.MaximumRateLimitedWaits)
                            {
                                return Failed("RateLimited", ProblemCategory.LimitsExceeded,
                                    string.Format(CultureInfo.InvariantCulture,
                                        "Gave up on '{0}' with model '{1}' after {2} attempt(s): the endpoint kept answering 429 (rate limited); an image is given up after {3} rate-limit replies.",
                                        item.RelativePath, state.Name, failures + rateLimited, _options.MaximumRateLimitedWaits),
                                    "Lower -ThrottleLimit or set -MaxRequestsPerSecond to your account's rate limit, then run again: only what is not stored is sent.");
                            }

                            var wait = RetryAfterHeader.Clamp(failure.RetryAfter ?? _backoff.Delay(rateLimited), _options.MaximumRetryAfter, out var clamped);
                            if (clamped && failure.RetryAfter.HasValue)
                            {
                                Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                                    "The endpoint's Retry-After asks for {0:0} s; waiting at most {1:0.###} s (-MaximumRetryAfterSec).",
                                    Math.Min(failure.RetryAfter.Value.TotalSeconds, 1e12), _options.MaximumRetryAfter.TotalSeconds)));
                            }

                            _pacer.OnRateLimited(wait);
                            Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                                "The endpoint answered 429 (rate limited) for '{0}' with model '{1}': waiting {2:0.0} s{3}, then sending at most {4:0.##} requests/s.",
                                item.RelativePath, state.Name, wait.TotalSeconds, failure.RetryAfter.HasValue && !clamped ? " as its Retry-After asks" : string.Empty,
                                _pacer.CurrentRate ?? 0)));
                            continue;
                        }

                        case BackendFailure.Unreachable when Volatile.Read(ref _anySucceeded) == 0:
                            // Refused or unknown host before anything worked: a wrong URL or no network, which
                            // retries cannot cure. Later in a run that has worked it is an outage and is retried.
                            Terminate(new Problem("EndpointUnreachable", ProblemCategory.ConnectionError,
                                new InvalidOperationException($"Could not reach the endpoint. {failure.Message} The run stopped at its first request, without retrying."),
                                null, true, "Check the URL exactly as delivered, the network, any proxy or VPN, then run again: stored results are kept."));
                            token.ThrowIfCancellationRequested();
                            break;

                        case BackendFailure.ServerError:
                        case BackendFailure.Timeout:
                        case BackendFailure.ConnectionFailed:
                        case BackendFailure.Unreachable:
                        case BackendFailure.InvalidReply:
                        {
                            failures++;
                            if (failures > _options.MaximumRetryCount)
                            {
                                if (probing && !state.Confirmed && (failure.Failure == BackendFailure.ConnectionFailed || failure.Failure == BackendFailure.Unreachable))
                                {
                                    Terminate(new Problem("EndpointUnreachable", ProblemCategory.ConnectionError,
                                        new InvalidOperationException($"Could not reach the endpoint ({failure.Message}) after {failures} attempt(s)."),
                                        null, true, "Check the URL, the network and any proxy, then run again: stored results are kept."));
                                    token.ThrowIfCancellationRequested();
                                }

                                return Failed(failure.Problem ?? ProblemFor(failure.Failure), CategoryFor(failure.Failure),
                                    $"Gave up on '{item.RelativePath}' with model '{state.Name}' after {failures} attempt(s): {failure.Message}",
                                    "Run the same command again later: only what is not stored is sent.");
                            }

                            var delay = _backoff.Delay(failures);
                            Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                                "Retrying '{0}' with model '{1}' in {2:0.0} s (attempt {3} of {4}): {5}",
                                item.RelativePath, state.Name, delay.TotalSeconds, failures + 1, _options.MaximumRetryCount + 1, failure.Message)));
                            await Task.Delay(delay, token).ConfigureAwait(false);
                            continue;
                        }

                        case BackendFailure.Rejected when !state.Confirmed:
                            RejectModel(state, failure);
                            token.ThrowIfCancellationRequested();
                            return Outcome.Skip;

                        case BackendFailure.Unauthorized:
                            Terminate(new Problem("Unauthorized", ProblemCategory.PermissionDenied,
                                new InvalidOperationException($"The endpoint refused access: {failure.Message} The run stopped so no more requests are wasted."),
                                null, true, "Check the URL exactly as delivered; it is rotated when the evaluation window ends."));
                            token.ThrowIfCancellationRequested();
                            break;

                        case BackendFailure.EndpointNotFound:
                            Terminate(new Problem("EndpointNotFound", ProblemCategory.ResourceUnavailable,
                                new InvalidOperationException($"The URL does not lead to the extraction endpoint: {failure.Message} The run stopped."),
                                null, true, "Check the URL exactly as delivered; it is rotated when the evaluation window ends."));
                            token.ThrowIfCancellationRequested();
                            break;

                        case BackendFailure.ReplyTooLarge:
                            state.Confirmed = true; // the model answered; what it sent is the problem
                            return Failed("ReplyTooLarge", ProblemCategory.InvalidResult,
                                $"The endpoint's reply for '{item.RelativePath}' with model '{state.Name}' was refused: {failure.Message}",
                                "Check the model name and the endpoint; a face embedding has a few hundred to a few thousand values.");

                        case BackendFailure.ImageRejected:
                            return Failed("ImageRejected", ProblemCategory.InvalidData, Refusal(item, state, failure), "Check that the file is a PNG face crop.");

                        default:
                            return Failed("RequestRejected", ProblemCategory.InvalidData, Refusal(item, state, failure), null);
                    }

                    throw new OperationCanceledException(token);
                }
                finally
                {
                    if (probing) { state.Exit(); }
                }
            }
        }

        private string Refusal(ExtractionItem item, ModelState state, EmbeddingBackendException failure) =>
            _backend.IsLocal
                ? $"The local model '{state.Name}' could not embed '{item.RelativePath}': {failure.Message}"
                : $"The endpoint refused '{item.RelativePath}' for model '{state.Name}': {failure.Message}";

        /// <summary>
        /// The first request for a model was refused: that model stops (one error naming it) and the others go on.
        /// When no model is left, the run stops.
        /// </summary>
        private void RejectModel(ModelState state, EmbeddingBackendException failure)
        {
            if (state.Rejected) { return; }
            state.Rejected = true;
            var left = _models.Count - Interlocked.Increment(ref _rejectedModels);
            var what = _backend.IsLocal
                ? $"The local model '{state.Name}' cannot be used: {failure.Message}"
                : $"The endpoint refused model '{state.Name}' at its first request: {failure.Message} Nothing more is sent for '{state.Name}'";
            var rest = left > 0 ? "; the other model(s) go on." : "; no other model is left, so the run stopped.";
            var error = new Problem("ModelRejected", ProblemCategory.InvalidArgument, new InvalidOperationException(what.TrimEnd('.') + rest),
                state.Name, left == 0, "Use a model name your MOU lists (for example buffalo, dingo, eagle or eagle-2); model names are case-sensitive.");
            if (left == 0)
            {
                Terminate(error);
                return;
            }

            Emit(ExtractionEvent.Fail(error));
        }

        // One hasher per thread instead of one per image: HashAlgorithm is not thread-safe, and the hash is taken
        // with no await in between, so the thread cannot change under it.
        [ThreadStatic]
        private static SHA256 _sha256;

        private static SHA256 Sha256OfThisThread => _sha256 ?? (_sha256 = SHA256.Create());

        private static Outcome Failed(string problem, ProblemCategory category, string message, string recommendedAction) =>
            new Outcome(null, TimeSpan.Zero, new Problem(problem, category, new InvalidOperationException(message), null, false, recommendedAction));

        private static string ProblemFor(BackendFailure failure)
        {
            switch (failure)
            {
                case BackendFailure.Timeout: return "Timeout";
                case BackendFailure.ConnectionFailed:
                case BackendFailure.Unreachable: return "ConnectionFailed";
                case BackendFailure.InvalidReply: return "InvalidReply";
                default: return "ServerError";
            }
        }

        private static ProblemCategory CategoryFor(BackendFailure failure)
        {
            switch (failure)
            {
                case BackendFailure.Timeout: return ProblemCategory.OperationTimeout;
                case BackendFailure.ConnectionFailed:
                case BackendFailure.Unreachable: return ProblemCategory.ConnectionError;
                case BackendFailure.InvalidReply: return ProblemCategory.InvalidResult;
                default: return ProblemCategory.ResourceUnavailable;
            }
        }

        private EmbeddingBackendException Validate(FeatureReply reply, ModelState state)
        {
            var length = reply.Feature.Length;
            if (length == 0) { return null; }
            var expected = Interlocked.CompareExchange(ref state.Dimension, length, 0);
            if (expected == 0 || expected == length) { return null; }

            // A model's embeddings all have one length; a different one is a broken reply (retried), and if it
            // persists, the server changed the model under the same name, which the user must hear about.
            return new EmbeddingBackendException(BackendFailure.InvalidReply,
                $"The reply has {length} values where model '{state.Name}' gave {expected} before (use -Force or another -OutputDirectory if the model really changed).", 200, null, "DimensionChanged");
        }

        private void CheckModelName(ModelState state, string replied)
        {
            if (string.IsNullOrEmpty(replied) || replied == state.Name) { return; }
            if (Interlocked.Exchange(ref state.NameWarned, 1) == 0)
            {
                Emit(ExtractionEvent.Warning($"Model '{state.Name}' was requested, but the endpoint replied with model_name '{replied}'. Results carry the server's name '{replied}' and are stored under '{state.Name}'."));
            }
        }

        private void CheckNorm(ModelState state, float[] vector)
        {
            double sum = 0;
            foreach (var v in vector) { sum += (double)v * v; }
            var norm = Math.Sqrt(sum);
            if (Math.Abs(norm - 1) <= _options.NormTolerance) { return; }
            if (Interlocked.Increment(ref state.OffNormCount) == 1) { state.ExampleNorm = norm; }
        }

        private void Record(ModelState state, StoreRecord record)
        {
            state.ByRelativePath[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
            if (record.Sha256 != null) { state.BySha[record.Sha256] = record; }
            _records.Writer.TryWrite(new PendingRecord(state.Store, record));
        }

        private async Task RecordWriterAsync()
        {
            // Not cancelled by a stop: whatever was stored before Ctrl+C gets its index line.
            var batch = new Dictionary<ModelStore, List<StoreRecord>>();
            while (await _records.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                while (_records.Reader.TryRead(out var pending))
                {
                    if (!batch.TryGetValue(pending.Store, out var list)) { batch[pending.Store] = list = new List<StoreRecord>(); }
                    list.Add(pending.Record);
                }

                foreach (var entry in batch)
                {
                    try
                    {
                        entry.Key.Append(entry.Value);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        Emit(ExtractionEvent.Fail(new Problem("StoreWriteFailed", ProblemCategory.WriteError,
                            new IOException($"Could not append {entry.Value.Count} record(s) to '{entry.Key.IndexPath}': {ex.Message}", ex), entry.Key.IndexPath)));
                    }
                }
            }
        }

        private void EmitEndOfRunWarnings()
        {
            var lossy = Interlocked.Read(ref _lossyImages);
            if (lossy > 0)
            {
                Emit(ExtractionEvent.Warning($"{lossy} input image(s) are JPEG or lossy WebP. Re-encoded crops are the most common cause of abnormally low scores: crop from the original photos and save as PNG."));
            }

            foreach (var state in _models.Values)
            {
                if (state.OffNormCount > 0)
                {
                    Emit(ExtractionEvent.Warning(string.Format(CultureInfo.InvariantCulture,
                        "{0} embedding(s) from model '{1}' have a norm outside 1 ± {2} (for example {3:0.####}); the service promises unit vectors. Scores use the true cosine, so they are unaffected.",
                        state.OffNormCount, state.Name, _options.NormTolerance, state.ExampleNorm)));
                }
            }

            var p = GetProgress();
            Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                "Done: {0} extraction(s), {1} by new requests, {2} from the store, {3} failed; {4} request(s) sent in {5:0.0} s.",
                p.Completed, p.Uploaded, p.FromStore, p.Failed, p.Requests, p.Elapsed.TotalSeconds)));
        }

        private void Terminate(Problem error)
        {
            if (Interlocked.Exchange(ref _terminated, 1) == 0)
            {
                _events.Enqueue(ExtractionEvent.Fail(error));
            }

            Cancel();
        }

        private void Fail(Problem error, int pairs)
        {
            Interlocked.Add(ref _failed, pairs);
            Interlocked.Add(ref _completed, pairs);
            Emit(ExtractionEvent.Fail(error));
        }

        private void Emit(ExtractionEvent e)
        {
            _events.Enqueue(e);
            Signal();
        }

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

            _backend.Dispose();
            _cancel.Dispose();
            _activity.Dispose();
            ReleaseClaims();
        }

        private void ReleaseClaims()
        {
            foreach (var claim in _claims) { claim.Dispose(); }
            _claims.Clear();
        }

        private sealed class ModelState
        {
            private readonly SemaphoreSlim _probe = new SemaphoreSlim(1, 1);

            public ModelState(string name, ModelStore store)
            {
                Name = name;
                Store = store;
            }

            public string Name { get; }

            public ModelStore Store { get; }

            public ConcurrentDictionary<string, StoreRecord> BySha { get; } = new ConcurrentDictionary<string, StoreRecord>(StringComparer.Ordinal);

            public ConcurrentDictionary<string, StoreRecord> ByRelativePath { get; } = new ConcurrentDictionary<string, StoreRecord>(StringComparer.Ordinal);

            public volatile bool Confirmed;
            public volatile bool Rejected;
            public int Dimension;
            public int NameWarned;
            public int OffNormCount;
            public double ExampleNorm;

            /// <summary>
            /// Until the model has answered once, one request at a time: returns true when this caller holds the probe
            /// and must call <see cref="Exit"/>.
            /// </summary>
            public async Task<bool> EnterAsync(bool needsConfirmation, CancellationToken token)
            {
                if (!needsConfirmation || Confirmed) { return false; }
                await _probe.WaitAsync(token).ConfigureAwait(false);
                if (Confirmed)
                {
                    _probe.Release();
                    return false;
                }

                return true;
            }

            public void Exit() => _probe.Release();
        }

        private sealed class Outcome
        {
            /// <summary>Nothing to write for this pair: its model was refused, and that was reported once.</summary>
            public static readonly Outcome Skip = new Outcome(null, TimeSpan.Zero, null) { Skipped = true };

            public Outcome(FeatureReply reply, TimeSpan elapsed, Problem error)
            {
                Reply = reply;
                Elapsed = elapsed;
                Error = error;
            }

            public FeatureReply Reply { get; }

            public TimeSpan Elapsed { get; }

            public Problem Error { get; }

            public bool Skipped { get; private set; }
        }

        private readonly struct PendingRecord
        {
            public PendingRecord(ModelStore store, StoreRecord record)
            {
                Store = store;
                Record = record;
            }

            public ModelStore Store { get; }

            public StoreRecord Record { get; }
        }
    }
}
