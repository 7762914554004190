using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Threading;
using Xunit;

namespace InsightFaceEval.Tests.Threading
{
    public class OrderedWorkQueueTests
    {
        [Fact]
        public void OutcomesComeBackInPostingOrderWhateverFinishesFirst()
        {
            // Room for all six at once: each waits on the next, so fewer slots would deadlock by design.
            var queue = new OrderedWorkQueue<int, int>(6, CancellationToken.None);
            var outcomes = new List<WorkOutcome<int, int>>();
            // Earlier items wait on later ones, so they finish last.
            var gates = Enumerable.Range(0, 6).Select(_ => new ManualResetEventSlim()).ToArray();
            for (var i = 0; i < 6; i++)
            {
                outcomes.AddRange(queue.Post(i, (item, ct) =>
                {
                    if (item < 5) { Assert.True(gates[item + 1].Wait(TimeSpan.FromSeconds(30), ct), "the next item never ran"); }
                    gates[item].Set();
                    return item * 10;
                }));
            }

            outcomes.AddRange(queue.Drain());
            Assert.Equal(new[] { 0, 10, 20, 30, 40, 50 }, outcomes.Select(o => o.Result).ToArray());
            Assert.Equal(0, queue.Count);
        }

        [Fact]
        public void AFailingItemIsReportedAndTheRestGoOn()
        {
            var queue = new OrderedWorkQueue<string, int>(2, CancellationToken.None);
            var outcomes = new List<WorkOutcome<string, int>>();
            foreach (var item in new[] { "1", "x", "3" })
            {
                outcomes.AddRange(queue.Post(item, (s, ct) => int.Parse(s)));
            }

            outcomes.AddRange(queue.Drain());
            Assert.Equal(3, outcomes.Count);
            Assert.IsType<FormatException>(outcomes[1].Error);
            Assert.Equal("x", outcomes[1].Item);
            Assert.Equal(3, outcomes[2].Result);
        }

        [Fact]
        public void NoMoreThanTheLimitRunAtOnce()
        {
            var running = 0;
            var peak = 0;
            var queue = new OrderedWorkQueue<int, int>(2, CancellationToken.None);
            var written = 0;
            for (var i = 0; i < 12; i++)
            {
                written += queue.Post(i, (item, ct) =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                    Thread.Sleep(5);
                    Interlocked.Decrement(ref running);
                    return item;
                }).Count;
            }

            written += queue.Drain().Count();
            Assert.Equal(12, written);
            Assert.InRange(peak, 1, 2);
        }

        [Fact]
        public void CancellationStopsTheWait()
        {
            using (var cts = new CancellationTokenSource())
            using (var never = new ManualResetEventSlim())
            {
                var queue = new OrderedWorkQueue<int, int>(1, cts.Token);
                queue.Post(0, (item, ct) => { never.Wait(TimeSpan.FromSeconds(30), ct); return 0; });
                cts.CancelAfter(50);
                Assert.ThrowsAny<OperationCanceledException>(() => queue.Drain().ToList());
            }
        }

        [Fact]
        public void AbandonReturnsOnlyWhenNothingRunsAnyMore()
        {
            using (var cts = new CancellationTokenSource())
            {
                var queue = new OrderedWorkQueue<int, int>(2, cts.Token);
                var finished = 0;
                for (var i = 0; i < 6; i++)
                {
                    queue.Post(i, (item, ct) =>
                    {
                        // Like an inference call: it notices the stop only at its next check.
                        Thread.Sleep(30);
                        Interlocked.Increment(ref finished);
                        ct.ThrowIfCancellationRequested();
                        return item;
                    });
                }

                cts.Cancel();
                queue.Abandon();
                var settled = Volatile.Read(ref finished);
                Thread.Sleep(100);
                Assert.Equal(settled, Volatile.Read(ref finished));
                Assert.Equal(0, queue.Count);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
        }
    }
}
