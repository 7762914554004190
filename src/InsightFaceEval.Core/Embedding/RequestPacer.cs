using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Decides when each request may start: a client-side request rate (evenly spaced, no bursts, and never more
    /// than the cap within any window of a second and a little, counted on actual start times so a late wake-up
    /// cannot bunch requests), and a shared pause when the server answers 429, after which every worker sends more
    /// slowly than before and then creeps back up.
    /// </summary>
    public sealed class RequestPacer
    {
        // Pacing 3% under the cap leaves room for jitter between our send and the server's count (30 ms a second).
        private const double Headroom = 1.03;
        private const double SlowDownFactor = 0.8;
        private const double MinimumRate = 0.2;

        // After a slow-down, each success adds this much rate: about 10% a second at any speed, so a passing 429
        // does not leave the run slow for good, and a real limit is found again without a burst.
        private const double RecoveryPerSuccess = 0.1;

        private static readonly TimeSpan Window = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond * Headroom));
        private static readonly TimeSpan History = TimeSpan.FromSeconds(2);

        private readonly object _gate = new object();
        private readonly Func<TimeSpan> _clock;
        private readonly Func<TimeSpan, CancellationToken, Task> _delay;
        private readonly double? _userCap;
        private readonly List<TimeSpan> _starts = new List<TimeSpan>();
        private int _startsHead;
        private double? _rate;
        private bool _adaptive;
        private TimeSpan _nextSlot;
        private TimeSpan _pauseUntil;

        /// <param name="maxRequestsPerSecond">The user's cap, or null for none (until a 429 sets one).</param>
        public RequestPacer(double? maxRequestsPerSecond)
            : this(maxRequestsPerSecond, null, null)
        {
        }

        /// <summary>For tests: a virtual clock and delay.</summary>
        internal RequestPacer(double? maxRequestsPerSecond, Func<TimeSpan> clock, Func<TimeSpan, CancellationToken, Task> delay)
        {
            if (maxRequestsPerSecond.HasValue && !(maxRequestsPerSecond > 0)) { throw new ArgumentOutOfRangeException(nameof(maxRequestsPerSecond)); }
            _userCap = maxRequestsPerSecond;
            _rate = maxRequestsPerSecond;
            if (clock == null)
            {
                var stopwatch = Stopwatch.StartNew();
                clock = () => stopwatch.Elapsed;
            }

            _clock = clock;
            _delay = delay ?? ((d, ct) => Task.Delay(d, ct));
        }

        /// <summary>The requests per second currently allowed (null: unlimited).</summary>
        public double? CurrentRate
        {
            get { lock (_gate) { return _rate; } }
        }

        /// <summary>When the server's Retry-After ends, if it is still running.</summary>
        public TimeSpan? PausedFor
        {
            get
            {
                lock (_gate)
                {
                    var left = _pauseUntil - _clock();
                    return left > TimeSpan.Zero ? left : (TimeSpan?)null;
                }
            }
        }

        /// <summary>Waits until this caller may start one request, and counts it as started.</summary>
        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            var reserved = false;
            var slot = TimeSpan.Zero;
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    var now = _clock();
                    if (_pauseUntil > now)
                    {
                        // Sit out the server's pause without holding a slot, then compete for one like everybody else.
                        reserved = false;
                        wait = _pauseUntil - now;
                    }
                    else if (!_rate.HasValue)
                    {
                        RecordStart(now);
                        return;
                    }
                    else
                    {
                        if (!reserved)
                        {
                            slot = _nextSlot > now ? _nextSlot : now;
                            _nextSlot = slot + TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond * Headroom / _rate.Value));
                            reserved = true;
                        }

                        wait = slot - now;
                        if (wait <= TimeSpan.Zero)
                        {
                            wait = WindowWait(now);
                            if (wait <= TimeSpan.Zero)
                            {
                                RecordStart(now);
                                return;
                            }

                            slot = now + wait;
                        }
                    }
                }

                await _delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private TimeSpan WindowWait(TimeSpan now)
        {
            // However the slots fell, the cap holds on actual starts: the start 'limit' places back must be a window ago.
            var limit = Math.Max(1, (int)Math.Floor(_rate.Value + 1e-9));
            var count = _starts.Count - _startsHead;
            if (count < limit) { return TimeSpan.Zero; }
            var boundary = _starts[_starts.Count - limit] + Window;
            return boundary > now ? boundary - now : TimeSpan.Zero;
        }

        private void RecordStart(TimeSpan now)
        {
            _starts.Add(now);
            while (_startsHead < _starts.Count && now - _starts[_startsHead] > History) { _startsHead++; }
            if (_startsHead > 4096)
            {
                _starts.RemoveRange(0, _startsHead);
                _startsHead = 0;
            }
        }

        /// <summary>
        /// The server said 429: nobody starts before <paramref name="retryAfter"/> has passed, and from then on the
        /// rate is lower than what was just sent (or than the current cap).
        /// </summary>
        public void OnRateLimited(TimeSpan retryAfter)
        {
            lock (_gate)
            {
                var now = _clock();
                // Callers cap Retry-After; this cap only keeps a wait within what Task.Delay accepts.
                if (retryAfter > TimeSpan.FromDays(1)) { retryAfter = TimeSpan.FromDays(1); }
                var until = now + (retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.Zero);
                if (until > _pauseUntil) { _pauseUntil = until; }
                var sent = ObservedRate(now);
                var basis = _rate.HasValue ? Math.Min(_rate.Value, sent ?? _rate.Value) : (sent ?? 1.0);
                var lowered = Math.Max(MinimumRate, basis * SlowDownFactor);
                if (_userCap.HasValue) { lowered = Math.Min(lowered, _userCap.Value); }
                if (!_rate.HasValue || lowered < _rate.Value) { _rate = lowered; }
                _adaptive = true;
                if (_nextSlot < _pauseUntil) { _nextSlot = _pauseUntil; }
            }
        }

        /// <summary>A request succeeded: after a slow-down, creep back toward the user's cap (or no limit).</summary>
        public void OnSuccess()
        {
            lock (_gate)
            {
                if (!_adaptive || !_rate.HasValue) { return; }
                var raised = _rate.Value + RecoveryPerSuccess;
                if (_userCap.HasValue && raised >= _userCap.Value)
                {
                    _rate = _userCap;
                    _adaptive = false;
                    return;
                }

                _rate = raised;
            }
        }

        private double? ObservedRate(TimeSpan now)
        {
            // Starts over the last second; over a shorter span when the run is younger than that, so a 429 in the
            // first moments does not read a burst as a trickle.
            var count = 0;
            var oldest = now;
            for (var i = _starts.Count - 1; i >= _startsHead; i--)
            {
                var t = _starts[i];
                if (now - t > TimeSpan.FromSeconds(1)) { break; }
                count++;
                oldest = t;
            }

            if (count < 2) { return null; }
            var span = Math.Max((now - oldest).TotalSeconds, 0.05);
            return count / Math.Min(span, 1.0);
        }
    }

    /// <summary>Exponential backoff with jitter for retries.</summary>
    public sealed class RetryBackoff
    {
        private readonly TimeSpan _base;
        private readonly TimeSpan _cap;
        private readonly Random _random;
        private readonly object _gate = new object();

        public RetryBackoff(TimeSpan baseDelay, TimeSpan maximumDelay, int? seed = null)
        {
            _base = baseDelay;
            _cap = maximumDelay;
            _random = seed.HasValue ? new Random(seed.Value) : new Random();
        }

        /// <summary>
        /// Delay before retry number <paramref name="retry"/> (1 for the first): half of base * 2^(retry-1), capped,
        /// plus a random share of the other half, so workers that failed together do not return together.
        /// </summary>
        public TimeSpan Delay(int retry)
        {
            var exponent = Math.Min(Math.Max(retry - 1, 0), 30);
            var ceiling = Math.Min(_cap.TotalMilliseconds, _base.TotalMilliseconds * Math.Pow(2, exponent));
            double share;
            lock (_gate) { share = _random.NextDouble(); }
            return TimeSpan.FromMilliseconds((ceiling / 2) + (share * ceiling / 2));
        }
    }
}
