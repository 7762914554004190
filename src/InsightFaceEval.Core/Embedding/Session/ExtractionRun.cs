using System;
using System.Collections.Concurrent;
using System.Threading;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// What every part of one extraction shares: the settings, the backend, the counts, the queue of things the
    /// pipeline thread must write, and the stop. Workers only queue events; the caller drains them on its own thread
    /// (<see cref="ExtractionSession.TryTake"/>). One instance per run, never reused.
    /// </summary>
    internal sealed class ExtractionRun : IDisposable
    {
        private readonly ConcurrentQueue<ExtractionEvent> _events = new ConcurrentQueue<ExtractionEvent>();
        private readonly AutoResetEvent _activity = new AutoResetEvent(false);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private int _callerWaiting;
        private int _terminated;

        public ExtractionRun(IEmbeddingBackend backend, ExtractionOptions options, string endpointFingerprint)
        {
            Backend = backend;
            Options = options;
            EndpointFingerprint = endpointFingerprint;
        }

        public IEmbeddingBackend Backend { get; }

        public ExtractionOptions Options { get; }

        /// <summary>The salted fingerprint of the backend's identity that every new store record carries.</summary>
        public string EndpointFingerprint { get; }

        public ExtractionTally Tally { get; } = new ExtractionTally();

        public CancellationToken Token => _cancel.Token;

        public bool IsCancelled => _cancel.IsCancellationRequested;

        /// <summary>Queues something to write and wakes the caller if it waits.</summary>
        public void Emit(ExtractionEvent e)
        {
            _events.Enqueue(e);
            Signal();
        }

        /// <summary>A problem that finishes <paramref name="pairs"/> image-model pairs as failed.</summary>
        public void Fail(Problem error, int pairs)
        {
            Tally.Failed(pairs);
            Emit(ExtractionEvent.Fail(error));
        }

        /// <summary>Stops the run with one terminating problem (the first one wins; later ones are dropped).</summary>
        public void Terminate(Problem error)
        {
            if (Interlocked.Exchange(ref _terminated, 1) == 0)
            {
                _events.Enqueue(ExtractionEvent.Fail(error));
            }

            Cancel();
        }

        /// <summary>Stops everything in flight. What is already stored stays stored.</summary>
        public void Cancel()
        {
            try { _cancel.Cancel(); }
            catch (ObjectDisposedException) { }
            _activity.Set(); // always: the caller must see the stop
        }

        /// <summary>Wakes the caller unconditionally (the end of the run).</summary>
        public void Wake() => _activity.Set();

        /// <summary>Wakes the caller, but only when it sleeps in <see cref="WaitForActivity"/>: a busy caller is not woken per event.</summary>
        public void Signal()
        {
            if (Volatile.Read(ref _callerWaiting) == 1 && Interlocked.Exchange(ref _callerWaiting, 0) == 1)
            {
                _activity.Set();
            }
        }

        /// <summary>Blocks until something happened or the timeout passed; returns at once when <paramref name="finished"/>.</summary>
        public void WaitForActivity(TimeSpan timeout, bool finished)
        {
            Interlocked.Exchange(ref _callerWaiting, 1);
            if (_events.IsEmpty && !finished && !_cancel.IsCancellationRequested)
            {
                _activity.WaitOne(timeout);
            }

            Volatile.Write(ref _callerWaiting, 0);
        }

        public bool TryTake(out ExtractionEvent item) => _events.TryDequeue(out item);

        public void Dispose()
        {
            _cancel.Dispose();
            _activity.Dispose();
        }
    }
}
