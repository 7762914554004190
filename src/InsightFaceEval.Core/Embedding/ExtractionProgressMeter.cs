using System;
using System.Globalization;

namespace InsightFaceEval.Embedding
{
    /// <summary>What a progress bar shows for an extraction at one moment.</summary>
    public sealed class ExtractionProgressView
    {
        public ExtractionProgressView(string status, int percentComplete, int? secondsRemaining, string currentOperation)
        {
            Status = status;
            PercentComplete = percentComplete;
            SecondsRemaining = secondsRemaining;
            CurrentOperation = currentOperation;
        }

        public string Status { get; }

        public int PercentComplete { get; }

        /// <summary>Null while the rate is unknown or nothing is left.</summary>
        public int? SecondsRemaining { get; }

        /// <summary>A server-requested pause or the rate limit in force, or null.</summary>
        public string CurrentOperation { get; }

        public override string ToString() => Status;
    }

    /// <summary>
    /// Turns an extraction's counts into a progress view, with the rate over the recent past (smoothed) rather than
    /// since the start, since stored results finish instantly. One meter per run.
    /// </summary>
    public sealed class ExtractionProgressMeter
    {
        private readonly bool _local;
        private double _smoothedRate;
        private long _lastCompleted;
        private TimeSpan _lastElapsed;

        /// <param name="local">Local models embed rather than upload.</param>
        public ExtractionProgressMeter(bool local)
        {
            _local = local;
        }

        /// <summary>The view for <paramref name="p"/>, or null while nothing was received.</summary>
        public ExtractionProgressView Update(ExtractionProgress p)
        {
            if (p == null || p.Total == 0) { return null; }
            var dt = (p.Elapsed - _lastElapsed).TotalSeconds;
            if (dt > 0)
            {
                var instant = (p.Completed - _lastCompleted) / dt;
                _smoothedRate = _lastElapsed == TimeSpan.Zero ? instant : (0.7 * _smoothedRate) + (0.3 * instant);
            }

            _lastCompleted = p.Completed;
            _lastElapsed = p.Elapsed;
            var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} extractions ({2} {3}, {4} from the store, {5} failed), {6:0.0}/s",
                p.Completed, p.Total, p.Uploaded, _local ? "embedded locally" : "uploaded", p.FromStore, p.Failed, _smoothedRate);
            var percent = (int)Math.Min(100, p.Completed * 100 / Math.Max(1, p.Total));
            var left = p.Total - p.Completed;
            int? remaining = _smoothedRate > 0.01 && left > 0 ? (int)Math.Min(int.MaxValue, left / _smoothedRate) : (int?)null;
            string operation = null;
            if (p.PausedFor.HasValue)
            {
                operation = string.Format(CultureInfo.InvariantCulture, "Rate limited by the server: resuming in {0:0} s", Math.Ceiling(p.PausedFor.Value.TotalSeconds));
            }
            else if (p.RateLimit.HasValue)
            {
                operation = string.Format(CultureInfo.InvariantCulture, "At most {0:0.##} requests/s", p.RateLimit.Value);
            }

            return new ExtractionProgressView(status, percent, remaining, operation);
        }
    }
}
