using System;
using System.Diagnostics;
using System.Threading;

namespace InsightFaceEval.Embedding
{
    /// <summary>The counts of one run (image-model pairs, requests, lossy images), safe to update from any worker.</summary>
    internal sealed class ExtractionTally
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _total;
        private long _completed;
        private long _uploaded;
        private long _fromStore;
        private long _failed;
        private long _requests;
        private long _lossyImages;

        /// <summary>Pairs received (an image times the number of models).</summary>
        public void Received(int pairs) => Interlocked.Add(ref _total, pairs);

        /// <summary>Pairs finished as failures.</summary>
        public void Failed(int pairs)
        {
            Interlocked.Add(ref _failed, pairs);
            Interlocked.Add(ref _completed, pairs);
        }

        /// <summary>A pair answered: by a new request, or from the store (or an identical image in this run).</summary>
        public void Answered(bool fromStore)
        {
            if (fromStore) { Interlocked.Increment(ref _fromStore); }
            else { Interlocked.Increment(ref _uploaded); }
            Interlocked.Increment(ref _completed);
        }

        public void RequestSent() => Interlocked.Increment(ref _requests);

        public void LossyImage() => Interlocked.Increment(ref _lossyImages);

        public long LossyImages => Interlocked.Read(ref _lossyImages);

        public ExtractionProgress Snapshot(RequestPacer pacer) =>
            new ExtractionProgress(
                Interlocked.Read(ref _total), Interlocked.Read(ref _completed), Interlocked.Read(ref _uploaded),
                Interlocked.Read(ref _fromStore), Interlocked.Read(ref _failed), Interlocked.Read(ref _requests),
                _clock.Elapsed, pacer.PausedFor, pacer.CurrentRate);
    }
}
