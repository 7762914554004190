using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The worker pool: images queue in through <see cref="TryPost"/>; each worker reads a file once, refuses what is
    /// not an image, hashes it, and hands it to <see cref="PairProcessor"/> once per model. Twice as many workers as
    /// request slots, so while some wait for replies, others read, hash and store.
    /// </summary>
    internal sealed class ImageWorkers
    {
        private readonly ExtractionRun _run;
        private readonly IReadOnlyList<ModelState> _models;
        private readonly PairProcessor _pairs;
        private readonly Channel<ExtractionItem> _input;

        public ImageWorkers(ExtractionRun run, IReadOnlyList<ModelState> models, PairProcessor pairs)
        {
            _run = run;
            _models = models;
            _pairs = pairs;
            var throttle = run.Options.ThrottleLimit;

            // Items are only paths, so the pipeline may run well ahead of the workers: the pipeline thread then
            // hands over input in bursts instead of waking for every item. Bounded, so memory stays flat.
            _input = Channel.CreateBounded<ExtractionItem>(new BoundedChannelOptions(Math.Max(1024, throttle * 64))
            {
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });

            var workers = new Task[(throttle * 2) + 1];
            for (var i = 0; i < workers.Length; i++) { workers[i] = Task.Run(WorkerAsync); }
            Completion = Task.WhenAll(workers);
        }

        /// <summary>Finishes when the input is complete (or the run stopped) and every worker is done.</summary>
        public Task Completion { get; }

        /// <summary>Queues one image; false when the queue is full.</summary>
        public bool TryPost(ExtractionItem item)
        {
            if (!_input.Writer.TryWrite(item)) { return false; }
            _run.Tally.Received(_models.Count);
            return true;
        }

        /// <summary>No more images will come.</summary>
        public void Complete() => _input.Writer.TryComplete();

        private async Task WorkerAsync()
        {
            var token = _run.Token;
            try
            {
                while (await _input.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    while (_input.Reader.TryRead(out var item))
                    {
                        _run.Signal(); // room in the queue
                        try
                        {
                            await ProcessImageAsync(item, token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (!(ex is OperationCanceledException))
                        {
                            // A defect must not take the other images down with it.
                            _run.Fail(new Problem("UnexpectedError", ProblemCategory.NotSpecified,
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
                _run.Fail(new Problem("NotARegularFile", ProblemCategory.InvalidArgument, ex, item.Path), _models.Count);
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                var notFound = ex is FileNotFoundException || ex is DirectoryNotFoundException;
                _run.Fail(new Problem(notFound ? "FileNotFound" : "FileUnreadable", notFound ? ProblemCategory.ObjectNotFound : ProblemCategory.ReadError,
                    new IOException($"Cannot read '{item.Path}': {ex.Message}", ex), item.Path), _models.Count);
                return;
            }

            if (!ImageFormats.IsImage(bytes))
            {
                // A text file or an error page saved as .png: a server would only refuse it, after the upload.
                _run.Fail(new Problem("NotAnImage", ProblemCategory.InvalidData,
                    new InvalidDataException($"'{item.Path}' is not an image: it does not start as a PNG, JPEG, WebP, BMP, GIF or TIFF file does. " +
                        (_run.Backend.IsLocal ? "It was not embedded." : "Nothing was sent.")),
                    item.Path, false, "Pass face crops (the PNG files New-FaceCrop writes); check that the file was not renamed or truncated."), _models.Count);
                return;
            }

            var sha = EmbeddingStore.Hex(Sha256OfThisThread.ComputeHash(bytes));
            if (ImageFormats.IsLossy(bytes)) { _run.Tally.LossyImage(); }

            foreach (var state in _models)
            {
                token.ThrowIfCancellationRequested();
                try
                {
                    await _pairs.ProcessAsync(item, bytes, sha, state, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    _run.Fail(new Problem("StoreWriteFailed", ProblemCategory.WriteError,
                        new IOException($"Could not store the embedding of '{item.RelativePath}' for model '{state.Name}': {ex.Message}", ex), item.Path), 1);
                }
            }
        }

        // One hasher per thread instead of one per image: HashAlgorithm is not thread-safe, and the hash is taken
        // with no await in between, so the thread cannot change under it.
        [ThreadStatic]
        private static SHA256 _sha256;

        private static SHA256 Sha256OfThisThread => _sha256 ?? (_sha256 = SHA256.Create());
    }
}
