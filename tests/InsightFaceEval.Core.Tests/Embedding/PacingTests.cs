using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
#pragma warning disable xUnit1031 // the virtual clock completes every wait synchronously
    public class PacingTests
    {
        /// <summary>A clock that only moves when someone waits, so pacing is checked without real time.</summary>
        private sealed class VirtualTime
        {
            private readonly object _gate = new object();
            private TimeSpan _now;

            public TimeSpan Now { get { lock (_gate) { return _now; } } }

            public Task Delay(TimeSpan d, CancellationToken ct)
            {
                lock (_gate) { _now += d; }
                return Task.CompletedTask;
            }
        }

        [Fact]
        public void NeverStartsMoreThanTheCapInAnyOneSecondWindow()
        {
            var time = new VirtualTime();
            var pacer = new RequestPacer(20, () => time.Now, time.Delay);
            var starts = new List<TimeSpan>();
            for (var i = 0; i < 200; i++)
            {
                pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult();
                starts.Add(time.Now);
            }

            for (var i = 0; i + 20 < starts.Count; i++)
            {
                Assert.True(starts[i + 20] - starts[i] >= TimeSpan.FromSeconds(1), $"21 starts within a second at {starts[i]}");
            }

            // ...and it does not leave much on the table: 200 starts take about 10 s, not much more.
            Assert.InRange(starts[^1].TotalSeconds, 199 / 20.0, 199 / 20.0 * 1.05);
        }

        [Fact]
        public void WithoutACapRequestsStartAtOnce()
        {
            var time = new VirtualTime();
            var pacer = new RequestPacer(null, () => time.Now, time.Delay);
            for (var i = 0; i < 50; i++) { pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult(); }
            Assert.Equal(TimeSpan.Zero, time.Now);
            Assert.Null(pacer.CurrentRate);
        }

        [Fact]
        public void A429PausesEveryoneForRetryAfterAndThenSlowsDown()
        {
            var time = new VirtualTime();
            var pacer = new RequestPacer(null, () => time.Now, time.Delay);
            for (var i = 0; i < 10; i++) { pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult(); }

            pacer.OnRateLimited(TimeSpan.FromSeconds(3));
            Assert.NotNull(pacer.PausedFor);
            pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(time.Now >= TimeSpan.FromSeconds(3), "started before Retry-After passed");
            Assert.NotNull(pacer.CurrentRate);

            var before = time.Now;
            for (var i = 0; i < 5; i++) { pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult(); }
            Assert.True(time.Now - before >= TimeSpan.FromSeconds(5 / pacer.CurrentRate.Value), "did not slow down after the 429");
        }

        [Fact]
        public void AfterASlowDownSuccessesBringTheRateBackUpToTheCap()
        {
            var time = new VirtualTime();
            var pacer = new RequestPacer(10, () => time.Now, time.Delay);
            for (var i = 0; i < 10; i++) { pacer.WaitAsync(CancellationToken.None).GetAwaiter().GetResult(); }
            pacer.OnRateLimited(TimeSpan.FromSeconds(1));
            var slowed = pacer.CurrentRate.Value;
            Assert.True(slowed < 10);
            for (var i = 0; i < 10; i++) { pacer.OnSuccess(); }
            Assert.True(pacer.CurrentRate > slowed);
            for (var i = 0; i < 1000; i++) { pacer.OnSuccess(); }
            Assert.Equal(10, pacer.CurrentRate);
        }

        [Fact]
        public void ASlowDownNeverRaisesTheUsersCap()
        {
            var time = new VirtualTime();
            var pacer = new RequestPacer(2, () => time.Now, time.Delay);
            pacer.OnRateLimited(TimeSpan.FromSeconds(1));
            Assert.True(pacer.CurrentRate <= 2 * 0.8 + 1e-9);
        }

        [Fact]
        public void BackoffGrowsWithJitterWithinItsBounds()
        {
            var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), seed: 3);
            for (var retry = 1; retry <= 8; retry++)
            {
                var ceiling = Math.Min(4000, 500 * Math.Pow(2, retry - 1));
                var delays = Enumerable.Range(0, 50).Select(_ => backoff.Delay(retry).TotalMilliseconds).ToList();
                Assert.All(delays, d => Assert.InRange(d, ceiling / 2, ceiling));
                Assert.True(delays.Distinct().Count() > 10, "no jitter");
            }
        }
    }
}
