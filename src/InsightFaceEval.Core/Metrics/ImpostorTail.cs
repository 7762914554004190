using System.Collections.Generic;
using System;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The highest impostor keys seen, with pair ordinals: every key above <see cref="Cut"/> is listed. Workers hand
    /// over small buffers; when the list outgrows its room it keeps the top entries and raises the cut.
    /// </summary>
    internal sealed class TailCollector
    {
        private readonly object gate = new object();
        private ulong[] entries;
        private int count;
        private volatile uint cut;

        public TailCollector(int keep)
        {
            Keep = Math.Max(16, keep);
            entries = new ulong[Math.Min(Keep + Math.Max(Keep / 2, 4096), 1 << 12)];
        }

        public int Keep { get; }

        /// <summary>Every key &gt; Cut is in <see cref="Entries"/>; nothing is known about keys &lt;= Cut.</summary>
        public uint Cut => cut;

        /// <summary>After <see cref="Finish"/>: entries sorted by key, highest first (key in the high 32 bits, subset bit and ordinal below).</summary>
        public ulong[] Entries { get; private set; }

        public void Add(ulong[] buffer, int n)
        {
            lock (gate)
            {
                uint c = cut;
                for (int i = 0; i < n; i++)
                {
                    if ((uint)(buffer[i] >> 32) <= c) { continue; }
                    if (count == entries.Length)
                    {
                        if (count >= Keep + Keep / 2) { Prune(); c = cut; if ((uint)(buffer[i] >> 32) <= c) { continue; } }
                        else
                        {
                            // Straight to full size: growing by doubling would hold two large copies at once.
                            Array.Resize(ref entries, Keep + Math.Max(Keep / 2, 4096));
                        }
                    }

                    entries[count++] = buffer[i];
                }
            }
        }

        private void Prune()
        {
            // The Keep-th highest entry decides the cut; only keys strictly above it stay, so "all keys above the cut" stays true.
            ulong kth = Selection.NthLargest(entries, count, Keep);
            uint newCut = (uint)(kth >> 32);
            int w = 0;
            for (int i = 0; i < count; i++)
            {
                if ((uint)(entries[i] >> 32) > newCut) { entries[w++] = entries[i]; }
            }

            count = w;
            cut = newCut;
        }

        /// <summary>
        /// Takes the tails of several shards as one (before <see cref="Finish"/>): every entry above the highest of
        /// their cuts, which each shard listed completely, then pruned to <see cref="Keep"/> as one run's tail is.
        /// </summary>
        internal void Restore(IEnumerable<ulong[]> shardEntries, uint highestCut)
        {
            var merged = new List<ulong>();
            foreach (var shard in shardEntries)
            {
                foreach (var e in shard) { if ((uint)(e >> 32) > highestCut) { merged.Add(e); } }
            }

            entries = merged.ToArray();
            count = entries.Length;
            cut = highestCut;
        }

        public void Finish()
        {
            if (count > Keep) { Prune(); }
            Array.Sort(entries, 0, count);
            Array.Reverse(entries, 0, count);
            Entries = entries;
            Count = count;
            entries = null;
        }

        /// <summary>Valid entries in <see cref="Entries"/> after <see cref="Finish"/>.</summary>
        public int Count { get; private set; }
    }

    internal static class Selection
    {
        /// <summary>The k-th largest value (1-based) of values[0..count), reordering them (quickselect).</summary>
        public static ulong NthLargest(ulong[] values, int count, int k)
        {
            int target = count - k; // k-th largest is the (count-k)-th smallest, 0-based
            int lo = 0, hi = count - 1;
            var rng = new Random(count);
            while (lo < hi)
            {
                ulong pivot = values[lo + rng.Next(hi - lo + 1)];
                int i = lo, j = hi;
                while (i <= j)
                {
                    while (values[i] < pivot) { i++; }
                    while (values[j] > pivot) { j--; }
                    if (i <= j)
                    {
                        var t = values[i];
                        values[i] = values[j];
                        values[j] = t;
                        i++;
                        j--;
                    }
                }

                if (target <= j) { hi = j; }
                else if (target >= i) { lo = i; }
                else { return values[target]; }
            }

            return values[target];
        }
    }
}
