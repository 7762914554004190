using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Threading
{
    /// <summary>
    /// Runs work items on up to <c>degree</c> thread-pool threads and hands the results back in the order
    /// the items came in, to one consumer thread (a cmdlet's pipeline thread, which alone may write
    /// objects, errors and files). The consumer bounds the work in flight with <see cref="IsFull"/>.
    /// </summary>
    public sealed class OrderedWorkQueue<TIn, TOut> : IDisposable
    {
        private readonly Func<TIn, CancellationToken, TOut> _work;
        private readonly Queue<(TIn Item, Task<TOut> Task)> _pending = new Queue<(TIn, Task<TOut>)>();
        private readonly CancellationTokenSource _cancellation;
        private readonly TaskScheduler _scheduler;
        private readonly int _capacity;

        public OrderedWorkQueue(Func<TIn, CancellationToken, TOut> work, int degree, int capacity, CancellationToken cancellationToken)
        {
            _work = work ?? throw new ArgumentNullException(nameof(work));
            if (degree < 1) { throw new ArgumentOutOfRangeException(nameof(degree)); }
            _capacity = Math.Max(capacity, degree);
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, degree).ConcurrentScheduler;
        }

        /// <summary>Items queued or running whose results have not been taken.</summary>
        public int Count => _pending.Count;

        /// <summary>True when the consumer should take a result before adding more.</summary>
        public bool IsFull => _pending.Count >= _capacity;

        /// <summary>Queues an item; its work starts when a worker is free.</summary>
        public void Add(TIn item)
        {
            var token = _cancellation.Token;
            token.ThrowIfCancellationRequested();
            var task = Task.Factory.StartNew(() => _work(item, token), token, TaskCreationOptions.DenyChildAttach, _scheduler);
            _pending.Enqueue((item, task));
        }

        /// <summary>True when the oldest item has finished (its result can be taken without waiting).</summary>
        public bool HeadCompleted => _pending.Count > 0 && _pending.Peek().Task.IsCompleted;

        /// <summary>
        /// Takes the oldest item's result, waiting for it if need be. A failed item's exception comes
        /// back in <paramref name="error"/>, with the item, so the consumer can report it and go on.
        /// </summary>
        public TOut Take(out TIn item, out Exception error)
        {
            var (input, task) = _pending.Dequeue();
            item = input;
            error = null;
            try
            {
                task.Wait(_cancellation.Token);
            }
            catch (AggregateException) { }

            if (task.IsFaulted)
            {
                error = task.Exception?.GetBaseException();
                return default;
            }

            if (task.IsCanceled)
            {
                throw new OperationCanceledException(_cancellation.Token);
            }

            return task.Result;
        }

        /// <summary>Stops every item that has not finished.</summary>
        public void Cancel() => _cancellation.Cancel();

        public void Dispose()
        {
            _cancellation.Cancel();

            // Let running items notice the cancellation before their buffers go away.
            var running = new List<Task>();
            foreach (var p in _pending) { running.Add(p.Task); }
            try { Task.WaitAll(running.ToArray(), TimeSpan.FromSeconds(10)); }
            catch (AggregateException) { }

            _pending.Clear();
            _cancellation.Dispose();
        }
    }
}
