using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>One model's state in one run: its stored records, whether it has answered, and what was warned about.</summary>
    internal sealed class ModelState
    {
        private readonly SemaphoreSlim _probe = new SemaphoreSlim(1, 1);

        public ModelState(string name, ModelStore store)
        {
            Name = name;
            Store = store;
        }

        public string Name { get; }

        public ModelStore Store { get; }

        public ConcurrentDictionary<string, StoreRecord> BySha { get; } = new ConcurrentDictionary<string, StoreRecord>(StringComparer.Ordinal);

        public ConcurrentDictionary<string, StoreRecord> ByRelativePath { get; } = new ConcurrentDictionary<string, StoreRecord>(StringComparer.Ordinal);

        public volatile bool Confirmed;
        public volatile bool Rejected;
        public int Dimension;
        public int NameWarned;
        public int OffNormCount;
        public double ExampleNorm;

        /// <summary>
        /// Until the model has answered once, one request at a time: returns true when this caller holds the probe
        /// and must call <see cref="Exit"/>.
        /// </summary>
        public async Task<bool> EnterAsync(bool needsConfirmation, CancellationToken token)
        {
            if (!needsConfirmation || Confirmed) { return false; }
            await _probe.WaitAsync(token).ConfigureAwait(false);
            if (Confirmed)
            {
                _probe.Release();
                return false;
            }

            return true;
        }

        public void Exit() => _probe.Release();
    }
}
