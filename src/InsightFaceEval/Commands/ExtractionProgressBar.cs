using System;
using System.Management.Automation;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Commands
{
    /// <summary>Get-FaceEmbedding's progress bar: at most one update per interval, completed once at the end or stop.</summary>
    internal sealed class ExtractionProgressBar
    {
        private const int ActivityId = 0x1FACE;
        private const string Activity = "Get-FaceEmbedding";
        private readonly Cmdlet _cmdlet;
        private readonly ExtractionProgressMeter _meter;
        private readonly TimeSpan _interval;
        private DateTime _last = DateTime.MinValue;
        private bool _shown;

        public ExtractionProgressBar(Cmdlet cmdlet, bool local, TimeSpan interval)
        {
            _cmdlet = cmdlet;
            _meter = new ExtractionProgressMeter(local);
            _interval = interval;
        }

        /// <summary>Shows <paramref name="progress"/> unless the last update is more recent than the interval.</summary>
        public void Show(Func<ExtractionProgress> progress)
        {
            var now = DateTime.UtcNow;
            if (now - _last < _interval) { return; }
            _last = now;
            var view = _meter.Update(progress());
            if (view == null) { return; }
            var record = new ProgressRecord(ActivityId, Activity, view.Status) { PercentComplete = view.PercentComplete };
            if (view.SecondsRemaining.HasValue) { record.SecondsRemaining = view.SecondsRemaining.Value; }
            if (view.CurrentOperation != null) { record.CurrentOperation = view.CurrentOperation; }
            _shown = true;
            _cmdlet.WriteProgress(record);
        }

        /// <summary>Removes the bar ("Done" or "Stopped"), if it was shown.</summary>
        public void Complete(string status)
        {
            if (!_shown) { return; }
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, Activity, status) { RecordType = ProgressRecordType.Completed });
        }
    }
}
