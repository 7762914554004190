using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Sends one image for one model through the backend until there is an outcome: request slots (concurrency),
    /// pacing, one probe per unconfirmed model, and what <see cref="FailurePolicy"/> says for each failure
    /// (rate-limit pauses, retries with backoff, model refusals, stopping the run).
    /// </summary>
    internal sealed class RequestRunner
    {
        private readonly ExtractionRun _run;
        private readonly int _modelCount;
        private readonly SemaphoreSlim _requestSlots;
        private readonly RetryBackoff _backoff;
        private int _anySucceeded;
        private int _rejectedModels;

        public RequestRunner(ExtractionRun run, int modelCount)
        {
            _run = run;
            _modelCount = modelCount;
            var options = run.Options;
            Pacer = new RequestPacer(options.MaxRequestsPerSecond);
            _backoff = new RetryBackoff(options.RetryBaseDelay, options.RetryMaximumDelay);
            _requestSlots = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
        }

        public RequestPacer Pacer { get; }

        private ExtractionOptions Options => _run.Options;

        private IEmbeddingBackend Backend => _run.Backend;

        public async Task<Outcome> RequestAsync(ExtractionItem item, byte[] bytes, string sha, ModelState state, CancellationToken token)
        {
            var fileName = Options.SendFileName ? Path.GetFileName(item.Path) : sha + Path.GetExtension(item.Path).ToLowerInvariant();
            var request = new EmbeddingRequest(state.Name, bytes, fileName, sha);
            var failures = 0;
            var rateLimited = 0;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                var probing = await state.EnterAsync(Backend.ModelsNeedConfirmation, token).ConfigureAwait(false);
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
                        await Pacer.WaitAsync(token).ConfigureAwait(false);
                        _run.Tally.RequestSent();
                        watch.Start();
                        reply = await Backend.EmbedAsync(request, token).ConfigureAwait(false);
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
                            Pacer.OnSuccess();
                            CheckModelName(state, reply.ModelName);
                            return new Outcome(reply, watch.Elapsed, null);
                        }
                    }

                    var response = FailurePolicy.Decide(failure.Failure, state.Confirmed, Volatile.Read(ref _anySucceeded) == 1);
                    switch (response)
                    {
                        case FailureResponse.WaitAndResend:
                            if (++rateLimited > Options.MaximumRateLimitedWaits)
                            {
                                return Failed(failure, response, string.Format(CultureInfo.InvariantCulture,
                                    "Gave up on '{0}' with model '{1}' after {2} attempt(s): the endpoint kept answering 429 (rate limited); an image is given up after {3} rate-limit replies.",
                                    item.RelativePath, state.Name, failures + rateLimited, Options.MaximumRateLimitedWaits));
                            }

                            Pause(item, state, failure, rateLimited);
                            continue;

                        case FailureResponse.Retry:
                            failures++;
                            if (failures > Options.MaximumRetryCount)
                            {
                                if (FailurePolicy.StopsWhenRetriesRunOut(failure.Failure, probing, state.Confirmed))
                                {
                                    _run.Terminate(new Problem("EndpointUnreachable", ProblemCategory.ConnectionError,
                                        new InvalidOperationException($"Could not reach the endpoint ({failure.Message}) after {failures} attempt(s)."),
                                        null, true, Hint(failure, FailureResponse.StopRun)));
                                    token.ThrowIfCancellationRequested();
                                }

                                return Failed(failure, response, $"Gave up on '{item.RelativePath}' with model '{state.Name}' after {failures} attempt(s): {failure.Message}");
                            }

                            var delay = _backoff.Delay(failures);
                            _run.Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                                "Retrying '{0}' with model '{1}' in {2:0.0} s (attempt {3} of {4}): {5}",
                                item.RelativePath, state.Name, delay.TotalSeconds, failures + 1, Options.MaximumRetryCount + 1, failure.Message)));
                            await Task.Delay(delay, token).ConfigureAwait(false);
                            continue;

                        case FailureResponse.RejectModel:
                            RejectModel(state, failure);
                            token.ThrowIfCancellationRequested();
                            return Outcome.Skip;

                        case FailureResponse.StopRun:
                            _run.Terminate(new Problem(FailurePolicy.ProblemId(failure.Failure, response), FailurePolicy.Category(failure.Failure, response),
                                new InvalidOperationException(StopMessage(failure)), null, true, Hint(failure, response)));
                            token.ThrowIfCancellationRequested();
                            throw new OperationCanceledException(token);

                        default:
                            if (failure.Failure == BackendFailure.ReplyTooLarge)
                            {
                                state.Confirmed = true; // the model answered; what it sent is the problem
                                return Failed(failure, response, $"The endpoint's reply for '{item.RelativePath}' with model '{state.Name}' was refused: {failure.Message}");
                            }

                            return Failed(failure, response, Refusal(item, state, failure));
                    }
                }
                finally
                {
                    if (probing) { state.Exit(); }
                }
            }
        }

        /// <summary>A rate-limit reply: wait as the backend asks (capped) or back off, and slow the whole run down.</summary>
        private void Pause(ExtractionItem item, ModelState state, EmbeddingBackendException failure, int rateLimited)
        {
            var wait = RetryAfterHeader.Clamp(failure.RetryAfter ?? _backoff.Delay(rateLimited), Options.MaximumRetryAfter, out var clamped);
            if (clamped && failure.RetryAfter.HasValue)
            {
                _run.Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                    "The endpoint's Retry-After asks for {0:0} s; waiting at most {1:0.###} s (-MaximumRetryAfterSec).",
                    Math.Min(failure.RetryAfter.Value.TotalSeconds, 1e12), Options.MaximumRetryAfter.TotalSeconds)));
            }

            Pacer.OnRateLimited(wait);
            _run.Emit(ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                "The endpoint answered 429 (rate limited) for '{0}' with model '{1}': waiting {2:0.0} s{3}, then sending at most {4:0.##} requests/s.",
                item.RelativePath, state.Name, wait.TotalSeconds, failure.RetryAfter.HasValue && !clamped ? " as its Retry-After asks" : string.Empty,
                Pacer.CurrentRate ?? 0)));
        }

        private static string StopMessage(EmbeddingBackendException failure)
        {
            switch (failure.Failure)
            {
                case BackendFailure.Unauthorized:
                    return $"The endpoint refused access: {failure.Message} The run stopped so no more requests are wasted.";
                case BackendFailure.EndpointNotFound:
                    return $"The URL does not lead to the extraction endpoint: {failure.Message} The run stopped.";
                default:
                    return $"Could not reach the endpoint. {failure.Message} The run stopped at its first request, without retrying.";
            }
        }

        private static string Hint(EmbeddingBackendException failure, FailureResponse response) =>
            failure.RecommendedAction ?? FailurePolicy.DefaultRecommendedAction(failure.Failure, response);

        /// <summary>The pair fails (its target is set by the caller); a retried failure keeps the backend's more specific id.</summary>
        private static Outcome Failed(EmbeddingBackendException failure, FailureResponse response, string message)
        {
            var id = response == FailureResponse.Retry ? failure.Problem ?? FailurePolicy.ProblemId(failure.Failure, response) : FailurePolicy.ProblemId(failure.Failure, response);
            return new Outcome(null, TimeSpan.Zero, new Problem(id, FailurePolicy.Category(failure.Failure, response), new InvalidOperationException(message),
                null, false, FailurePolicy.DefaultRecommendedAction(failure.Failure, response)));
        }

        private string Refusal(ExtractionItem item, ModelState state, EmbeddingBackendException failure) =>
            Backend.IsLocal
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
            var left = _modelCount - Interlocked.Increment(ref _rejectedModels);
            var what = Backend.IsLocal
                ? $"The local model '{state.Name}' cannot be used: {failure.Message}"
                : $"The endpoint refused model '{state.Name}' at its first request: {failure.Message} Nothing more is sent for '{state.Name}'";
            var rest = left > 0 ? "; the other model(s) go on." : "; no other model is left, so the run stopped.";
            var error = new Problem(FailurePolicy.ProblemId(failure.Failure, FailureResponse.RejectModel), FailurePolicy.Category(failure.Failure, FailureResponse.RejectModel),
                new InvalidOperationException(what.TrimEnd('.') + rest), state.Name, left == 0, Hint(failure, FailureResponse.RejectModel));
            if (left == 0)
            {
                _run.Terminate(error);
                return;
            }

            _run.Emit(ExtractionEvent.Fail(error));
        }

        private static EmbeddingBackendException Validate(FeatureReply reply, ModelState state)
        {
            var length = reply.Feature.Length;
            if (length == 0) { return null; }
            var expected = Interlocked.CompareExchange(ref state.Dimension, length, 0);
            if (expected == 0 || expected == length) { return null; }

            // A model's embeddings all have one length; a different one is a broken reply (retried), and if it
            // persists, the server changed the model under the same name, which the user must hear about.
            return new EmbeddingBackendException(BackendFailure.InvalidReply,
                $"The reply has {length} values where model '{state.Name}' gave {expected} before (use -Force or another -OutputDirectory if the model really changed).", null, null, "DimensionChanged");
        }

        private void CheckModelName(ModelState state, string replied)
        {
            if (string.IsNullOrEmpty(replied) || replied == state.Name) { return; }
            if (Interlocked.Exchange(ref state.NameWarned, 1) == 0)
            {
                _run.Emit(ExtractionEvent.Warning($"Model '{state.Name}' was requested, but the endpoint replied with model_name '{replied}'. Results carry the server's name '{replied}' and are stored under '{state.Name}'."));
            }
        }
    }

    /// <summary>How one pair's request ended: a reply, a problem, or skipped because its model was refused.</summary>
    internal sealed class Outcome
    {
        /// <summary>Nothing to write for this pair: its model was refused, and that was reported once.</summary>
        public static readonly Outcome Skip = new Outcome(null, TimeSpan.Zero, null, skipped: true);

        public Outcome(FeatureReply reply, TimeSpan elapsed, Problem error)
            : this(reply, elapsed, error, skipped: false)
        {
        }

        private Outcome(FeatureReply reply, TimeSpan elapsed, Problem error, bool skipped)
        {
            Reply = reply;
            Elapsed = elapsed;
            Error = error;
            Skipped = skipped;
        }

        public FeatureReply Reply { get; }

        public TimeSpan Elapsed { get; }

        public Problem Error { get; }

        public bool Skipped { get; }
    }
}
