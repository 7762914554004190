using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Threading
{
    /// <summary>The outcome of one work item: its result, or the exception it threw.</summary>
    public sealed class WorkOutcome<TItem, TResult>
    {
        internal WorkOutcome(TItem item, TResult result, Exception error)
        {
            Item = item;
            Result = result;
            Error = error;
        }

        public TItem Item { get; }

        public TResult Result { get; }

        /// <summary>Null on success.</summary>
        public Exception Error { get; }
    }

    /// <summary>
    /// Runs work items on the thread pool, at most <c>maxConcurrency</c> at once, and hands their outcomes
    /// back in posting order, so a cmdlet can stream results from its pipeline thread (workers never write
    /// to the pipeline) while later items are still being computed.
    /// </summary>
    public sealed class OrderedWorkQueue<TItem, TResult>
    {
        private readonly Queue<KeyValuePair<TItem, Task<TResult>>> _pending = new Queue<KeyValuePair<TItem, Task<TResult>>>();
        private readonly SemaphoreSlim _slots;
        private readonly int _maxPending;
        private readonly CancellationToken _cancellationToken;

        public OrderedWorkQueue(int maxConcurrency, CancellationToken cancellationToken)
        {
            if (maxConcurrency < 1) { throw new ArgumentOutOfRangeException(nameof(maxConcurrency)); }
            _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
            // Enough queued ahead to keep every worker busy, few enough that memory stays bounded.
            _maxPending = maxConcurrency * 4;
            _cancellationToken = cancellationToken;
        }

        /// <summary>Items posted and not yet taken.</summary>
        public int Count => _pending.Count;

        /// <summary>
        /// Starts <paramref name="work"/> for <paramref name="item"/> and returns the outcomes that are ready
        /// to be written, in order. Blocks (honouring the token) only when too much is queued ahead.
        /// </summary>
        public IReadOnlyList<WorkOutcome<TItem, TResult>> Post(TItem item, Func<TItem, CancellationToken, TResult> work)
        {
            if (work == null) { throw new ArgumentNullException(nameof(work)); }
            _cancellationToken.ThrowIfCancellationRequested();
            var task = Task.Run(
                async () =>
                {
                    await _slots.WaitAsync(_cancellationToken).ConfigureAwait(false);
                    try
                    {
                        _cancellationToken.ThrowIfCancellationRequested();
                        return work(item, _cancellationToken);
                    }
                    finally
                    {
                        _slots.Release();
                    }
                },
                _cancellationToken);
            _pending.Enqueue(new KeyValuePair<TItem, Task<TResult>>(item, task));

            var ready = new List<WorkOutcome<TItem, TResult>>();
            while (_pending.Count > 0 && (_pending.Peek().Value.IsCompleted || _pending.Count > _maxPending))
            {
                ready.Add(TakeHead());
            }

            return ready;
        }

        /// <summary>Waits for everything posted, yielding outcomes in posting order.</summary>
        public IEnumerable<WorkOutcome<TItem, TResult>> Drain()
        {
            while (_pending.Count > 0)
            {
                yield return TakeHead();
            }
        }

        /// <summary>
        /// Waits until no work item is running any more, dropping their outcomes: after Ctrl+C, before the
        /// resources the work uses (an inference session) are disposed under it.
        /// </summary>
        public void Abandon()
        {
            while (_pending.Count > 0)
            {
                try
                {
                    _pending.Dequeue().Value.Wait();
                }
                catch (AggregateException)
                {
                    // Cancelled or failed: either way it no longer runs.
                }
            }
        }

        private WorkOutcome<TItem, TResult> TakeHead()
        {
            var head = _pending.Peek();
            try
            {
                // Wait(token) so Ctrl+C interrupts even a long inference call's wait.
                head.Value.Wait(_cancellationToken);
            }
            catch (AggregateException)
            {
                // Reported through the outcome below.
            }

            _pending.Dequeue();
            var task = head.Value;
            if (task.IsCanceled)
            {
                throw new OperationCanceledException(_cancellationToken);
            }

            if (task.IsFaulted)
            {
                var error = task.Exception.InnerExceptions.Count == 1 ? task.Exception.InnerException : task.Exception;
                if (error is OperationCanceledException && _cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(_cancellationToken);
                }

                return new WorkOutcome<TItem, TResult>(head.Key, default(TResult), error);
            }

            return new WorkOutcome<TItem, TResult>(head.Key, task.Result, null);
        }
    }
}
