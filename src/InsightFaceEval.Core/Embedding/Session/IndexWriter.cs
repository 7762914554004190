using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Appends each run's new store records to the models' indexes from one task, in batches. Not stopped by a
    /// cancel: whatever was stored before Ctrl+C gets its index line.
    /// </summary>
    internal sealed class IndexWriter
    {
        private readonly Channel<PendingRecord> _records = Channel.CreateUnbounded<PendingRecord>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ExtractionRun _run;

        public IndexWriter(ExtractionRun run)
        {
            _run = run;
            Completion = Task.Run(WriteAsync);
        }

        /// <summary>Finishes once <see cref="Complete"/> was called and every queued record is appended.</summary>
        public Task Completion { get; }

        /// <summary>Makes <paramref name="record"/> the model's current record for its path and content, and queues its index line.</summary>
        public void Record(ModelState state, StoreRecord record)
        {
            state.ByRelativePath[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
            if (record.Sha256 != null) { state.BySha[record.Sha256] = record; }
            _records.Writer.TryWrite(new PendingRecord(state.Store, record));
        }

        /// <summary>No more records will come.</summary>
        public void Complete() => _records.Writer.TryComplete();

        private async Task WriteAsync()
        {
            var batch = new Dictionary<ModelStore, List<StoreRecord>>();
            while (await _records.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                while (_records.Reader.TryRead(out var pending))
                {
                    if (!batch.TryGetValue(pending.Store, out var list)) { batch[pending.Store] = list = new List<StoreRecord>(); }
                    list.Add(pending.Record);
                }

                foreach (var entry in batch)
                {
                    try
                    {
                        entry.Key.Append(entry.Value);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        _run.Emit(ExtractionEvent.Fail(new Problem("StoreWriteFailed", ProblemCategory.WriteError,
                            new IOException($"Could not append {entry.Value.Count} record(s) to '{entry.Key.IndexPath}': {ex.Message}", ex), entry.Key.IndexPath)));
                    }
                }
            }
        }

        private readonly struct PendingRecord
        {
            public PendingRecord(ModelStore store, StoreRecord record)
            {
                Store = store;
                Record = record;
            }

            public ModelStore Store { get; }

            public StoreRecord Record { get; }
        }
    }
}
