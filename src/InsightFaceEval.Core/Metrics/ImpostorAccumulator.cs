using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Exact, bounded-memory summary of a stream of impostor scores, so metrics equal those of a full sort
    /// without holding the scores. Every score is a float; its order-preserving 32-bit key is counted:
    /// <list type="bullet">
    /// <item>per coarse bucket (the key's top 16 bits), per fold and per subset (common to all models or not);</item>
    /// <item>at every anchor key (each distinct genuine score, histogram edge, the fixed threshold, -1): equal to it,
    /// or between it and the anchor below within its bucket, which makes counts at genuine scores exact (AUC,
    /// accuracy, ROC, k-fold);</item>
    /// <item>the highest scores themselves (a tail of keys with their pair ordinals), for TAR at small FAR, the
    /// hardest impostors and the bootstrap;</item>
    /// <item>on request, every key of a few buckets (a second pass over the pairs), for order statistics the tail
    /// does not reach (TAR@FAR=1e-1 on a billion pairs, an EER in the bulk).</item>
    /// </list>
    /// Queries that need a bucket nobody has resolved yet return null and record the bucket in <see cref="Needs"/>.
    /// </summary>
    public sealed class ImpostorAccumulator
    {
        public const int Subsets = 2;
        internal const int BucketKeys = 1 << ScoreKeys.BucketShift;

        public ImpostorAccumulator(uint[] anchors, int folds, int tailKeep)
        {
            Anchors = anchors;
            Folds = folds;
            AnchorStart = new int[ScoreKeys.BucketCount + 1];
            int p = 0;
            for (int b = 0; b <= ScoreKeys.BucketCount; b++)
            {
                uint start = b == ScoreKeys.BucketCount ? uint.MaxValue : ScoreKeys.BucketStart(b);
                while (p < anchors.Length && anchors[p] < start) { p++; }
                AnchorStart[b] = b == ScoreKeys.BucketCount ? anchors.Length : p;
            }

            SlotCount = 2 * anchors.Length + 1;
            Coarse = new long[Subsets * folds * ScoreKeys.BucketCount];
            Slots = new long[Subsets * folds * SlotCount];
            Tail = new TailCollector(tailKeep);
            Min = new[] { float.PositiveInfinity, float.PositiveInfinity };
            Max = new[] { float.NegativeInfinity, float.NegativeInfinity };
        }

        /// <summary>Sorted distinct anchor keys.</summary>
        public uint[] Anchors { get; }

        /// <summary>Anchors of bucket b are Anchors[AnchorStart[b] .. AnchorStart[b+1]).</summary>
        internal int[] AnchorStart { get; }

        public int Folds { get; }

        internal int SlotCount { get; }

        /// <summary>[(subset * Folds + fold) * BucketCount + bucket].</summary>
        internal long[] Coarse { get; }

        /// <summary>[(subset * Folds + fold) * SlotCount + 2p (+1 for "equal to anchor p")].</summary>
        internal long[] Slots { get; }

        internal TailCollector Tail { get; }

        /// <summary>Every key of these buckets, per subset: [bucket][subset * BucketKeys + low 16 bits].</summary>
        internal Dictionary<int, long[]> Fine { get; } = new Dictionary<int, long[]>();

        /// <summary>Per work unit (tile or chunk) and subset: sum and sum of squares, merged in unit order so the totals do not depend on thread timing.</summary>
        internal double[] Partials { get; private set; }

        internal float[] Min { get; }

        internal float[] Max { get; }

        /// <summary>Buckets some query needed and nobody has resolved: the next pass counts their keys.</summary>
        public HashSet<int> Needs { get; } = new HashSet<int>();

        /// <summary>Passes over the impostor pairs so far.</summary>
        public int Passes { get; internal set; }

        internal void EnsurePartials(int units)
        {
            if (Partials == null || Partials.Length < units * Subsets * 2) { Partials = new double[units * Subsets * 2]; }
        }

        /// <summary>
        /// Creates one sink per worker: for the first pass (counting everything, plus every key of the
        /// <paramref name="predicted"/> buckets), or for a refinement pass that only counts the keys of <see cref="Needs"/>.
        /// </summary>
        public List<ImpostorSink> CreateSinks(int workers, bool refine, IEnumerable<int> predicted = null)
        {
            var buckets = (refine ? Needs : predicted ?? Enumerable.Empty<int>()).Where(b => !Fine.ContainsKey(b)).Distinct().OrderBy(b => b).ToArray();
            int[] fineIndex = null;
            if (buckets.Length > 0)
            {
                fineIndex = new int[ScoreKeys.BucketCount];
                for (int b = 0; b < fineIndex.Length; b++) { fineIndex[b] = -1; }
                for (int i = 0; i < buckets.Length; i++) { fineIndex[buckets[i]] = i; }
            }

            var sinks = new List<ImpostorSink>(workers);
            for (int w = 0; w < workers; w++) { sinks.Add(new ImpostorSink(this, fineIndex, buckets, refine)); }
            return sinks;
        }

        /// <summary>Folds the workers' counts into the totals (on the calling thread, after the workers finished).</summary>
        public void Merge(IReadOnlyList<ImpostorSink> sinks)
        {
            if (sinks.Count == 0) { return; }
            foreach (var b in sinks[0].FineBuckets) { Fine[b] = new long[Subsets * BucketKeys]; }
            foreach (var sink in sinks) { sink.MergeFineInto(this); }
            if (sinks[0].FineOnly)
            {
                Needs.Clear();
            }
            else
            {
                foreach (var sink in sinks) { sink.MergeInto(this); }
                Tail.Finish();
            }

            Passes++;
        }

        /// <summary>Whether any impostor pair's ordinal is too large for a tail entry (the hardest pairs and bootstrap then stay unavailable).</summary>
        public bool OrdinalsTruncated { get; internal set; }

        public ImpostorView View(bool includeOtherSubset, long[] pointMassPerFold) => new ImpostorView(this, includeOtherSubset, pointMassPerFold);

        private readonly TailArrays[] tails = new TailArrays[2];

        internal sealed class TailArrays
        {
            public uint[] Keys;
            public int[] Ordinals;
        }

        /// <summary>The tail's keys (highest first) and pair ordinals (-1 unknown), of both subsets or subset 0 only; built once and shared by the views.</summary>
        internal TailArrays TailOf(bool both)
        {
            int i = both ? 1 : 0;
            if (tails[i] != null) { return tails[i]; }
            var entries = Tail.Entries ?? Array.Empty<ulong>();
            int n = 0;
            for (int e = 0; e < Tail.Count; e++) { if (both || ((entries[e] >> 31) & 1) == 0) { n++; } }
            var result = new TailArrays { Keys = new uint[n], Ordinals = new int[n] };
            n = 0;
            for (int e = 0; e < Tail.Count; e++)
            {
                if (!both && ((entries[e] >> 31) & 1) != 0) { continue; }
                result.Keys[n] = (uint)(entries[e] >> 32);
                int ordinal = (int)(entries[e] & 0x7FFFFFFF);
                result.Ordinals[n++] = ordinal == 0x7FFFFFFF ? -1 : ordinal;
            }

            return tails[i] = result;
        }
    }

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

    /// <summary>One worker's counts. Only its own thread touches it until <see cref="ImpostorAccumulator.Merge"/>.</summary>
    public sealed class ImpostorSink : IScoreSink
    {
        private const int TailBufferSize = 4096;
        private readonly ImpostorAccumulator owner;
        private readonly int folds;
        private readonly uint[] coarse;
        private readonly uint[] slots;
        private readonly int slotCount;
        private readonly int[] anchorStart;
        private readonly uint[] anchors;
        private readonly ulong[] tailBuffer = new ulong[TailBufferSize];
        private readonly int[] fineIndex;
        private readonly uint[] fine;
        private readonly float[] min = { float.PositiveInfinity, float.PositiveInfinity };
        private readonly float[] max = { float.NegativeInfinity, float.NegativeInfinity };
        private int tailCount;
        private uint tailCut;
        private bool ordinalsTruncated;
        private long sinceMerge;
        private double sum0, sum1, squares0, squares1;

        // What the pairs are: set by one of the Bind methods before the run.
        private PairDesign design;
        private AllPairsDesign allPairs;
        private GalleryProbeDesign cross;
        private long[] bounds;
        private int[] probePositions;
        private int[] galleryPositions;
        private int[] galleryImages;
        private int[] listOrdinals;
        private bool[] listCommon;

        internal ImpostorSink(ImpostorAccumulator owner, int[] fineIndex, int[] fineBuckets, bool fineOnly)
        {
            this.owner = owner;
            folds = owner.Folds;
            anchors = owner.Anchors;
            anchorStart = owner.AnchorStart;
            slotCount = owner.SlotCount;
            this.fineIndex = fineIndex;
            FineBuckets = fineBuckets;
            FineOnly = fineOnly;
            if (!fineOnly)
            {
                coarse = new uint[ImpostorAccumulator.Subsets * folds * ScoreKeys.BucketCount];
                slots = new uint[ImpostorAccumulator.Subsets * folds * slotCount];
                tailCut = owner.Tail.Cut;
            }

            fine = new uint[fineBuckets.Length * ImpostorAccumulator.Subsets * ImpostorAccumulator.BucketKeys];
        }

        /// <summary>Buckets whose every key this sink counts.</summary>
        internal int[] FineBuckets { get; }

        /// <summary>A refinement pass: nothing but <see cref="FineBuckets"/> is counted.</summary>
        internal bool FineOnly { get; }

        internal void BindAllPairs(AllPairsDesign d, long[] foldBounds)
        {
            design = allPairs = d;
            bounds = foldBounds;
            int blocks = (d.RowImage.Length + SimilarityKernel.BlockSize - 1) / SimilarityKernel.BlockSize;
            owner.EnsurePartials(blocks * (blocks + 1) / 2);
        }

        internal void BindCross(GalleryProbeDesign d, long[] foldBounds, int[] probes, int[] gallery)
        {
            design = cross = d;
            bounds = foldBounds;
            probePositions = probes;
            galleryPositions = gallery;
            galleryImages = new int[gallery.Length];
            for (int g = 0; g < gallery.Length; g++) { galleryImages[g] = d.Gallery[gallery[g]]; }
            int rb = (probes.Length + SimilarityKernel.BlockSize - 1) / SimilarityKernel.BlockSize;
            int cb = (gallery.Length + SimilarityKernel.BlockSize - 1) / SimilarityKernel.BlockSize;
            owner.EnsurePartials(rb * cb);
        }

        internal void BindPairList(PairListDesign d, long[] foldBounds, int[] ordinals, bool[] common)
        {
            design = d;
            bounds = foldBounds;
            listOrdinals = ordinals;
            listCommon = common;
            owner.EnsurePartials((ordinals.Length + 8191) / 8192 + 1);
        }

        public void Tile(in ScoreTile tile, float[] scores)
        {
            sum0 = sum1 = squares0 = squares1 = 0;
            int cc = tile.ColumnCount;
            for (int i = 0; i < tile.RowCount; i++)
            {
                int jStart = tile.Diagonal ? i + 1 : 0;
                if (jStart >= cc) { continue; }
                int a;
                long rowBase;
                int[] columnImage, columnOrdinal;
                if (allPairs != null)
                {
                    // All pairs: ordinal of (a, b) is RowBase(a) + b, so a column's ordinal offset is its image index.
                    a = allPairs.RowImage[tile.RowStart + i];
                    rowBase = allPairs.RowBase(a);
                    columnImage = columnOrdinal = allPairs.RowImage;
                }
                else
                {
                    int probePosition = probePositions[tile.RowStart + i];
                    a = cross.Probes[probePosition];
                    rowBase = probePosition * (long)cross.Gallery.Length;
                    columnImage = galleryImages;
                    columnOrdinal = galleryPositions;
                }

                CountRow(scores, i * cc, jStart, cc, tile.ColumnStart, columnImage, columnOrdinal, rowBase, design.Identity[a], design.Common[a]);
            }

            EndUnit(tile.Index);
        }

        /// <summary>
        /// The hot loop: one row of a tile. Everything it touches per score is a local (fields are read once and
        /// written back once), because per-score field traffic cost more than the dot products themselves.
        /// </summary>
        private void CountRow(float[] scores, int offset, int jStart, int jEnd, int columnStart, int[] columnImage, int[] columnOrdinal, long rowBase, int identityA, bool commonA)
        {
            var identity = design.Identity;
            var common = design.Common;
            var counts = coarse;
            var starts = anchorStart;
            uint cut = tailCut;
            double s0 = sum0, s1 = sum1, q0 = squares0, q1 = squares1;
            float min0 = min[0], max0 = max[0], min1 = min[1], max1 = max[1];
            int fold = FoldAt(rowBase + columnOrdinal[columnStart + jStart]);
            long limit = bounds[fold + 1];
            int foldBase0 = fold * ScoreKeys.BucketCount;
            int foldBase1 = (folds + fold) * ScoreKeys.BucketCount;
            long counted = 0;
            for (int j = jStart; j < jEnd; j++)
            {
                int b = columnImage[columnStart + j];
                if (identity[b] == identityA) { continue; }
                long p = rowBase + columnOrdinal[columnStart + j];
                if (p >= limit)
                {
                    while (p >= limit) { fold++; limit = bounds[fold + 1]; }
                    foldBase0 = fold * ScoreKeys.BucketCount;
                    foldBase1 = (folds + fold) * ScoreKeys.BucketCount;
                }

                float score = scores[offset + j];
                uint key = ScoreKeys.Key(score);
                int bucket = (int)(key >> ScoreKeys.BucketShift);
                bool first = commonA && common[b];
                if (fineIndex != null)
                {
                    int f = fineIndex[bucket];
                    if (f >= 0) { fine[((f * ImpostorAccumulator.Subsets) + (first ? 0 : 1)) * ImpostorAccumulator.BucketKeys + (int)(key & 0xFFFF)]++; }
                    if (FineOnly) { continue; }
                }

                counted++;
                counts[(first ? foldBase0 : foldBase1) + bucket]++;
                if (starts[bucket] != starts[bucket + 1]) { AddAnchored(key, starts[bucket], starts[bucket + 1], (first ? 0 : folds) + fold); }
                if (key > cut)
                {
                    AddTail(key, first ? 0 : 1, p);
                    cut = tailCut;
                }

                if (first)
                {
                    s0 += score;
                    q0 += (double)score * score;
                    if (score < min0) { min0 = score; }
                    if (score > max0) { max0 = score; }
                }
                else
                {
                    s1 += score;
                    q1 += (double)score * score;
                    if (score < min1) { min1 = score; }
                    if (score > max1) { max1 = score; }
                }
            }

            sum0 = s0;
            sum1 = s1;
            squares0 = q0;
            squares1 = q1;
            min[0] = min0;
            max[0] = max0;
            min[1] = min1;
            max[1] = max1;
            sinceMerge += counted;
        }

        public void Pairs(int chunkIndex, int start, int count, float[] scores)
        {
            sum0 = sum1 = squares0 = squares1 = 0;
            int fold = FoldAt(listOrdinals[start]);
            long limit = bounds[fold + 1];
            for (int i = 0; i < count; i++)
            {
                int ordinal = listOrdinals[start + i];
                while (ordinal >= limit) { fold++; limit = bounds[fold + 1]; }
                Add(scores[i], fold, listCommon[start + i] ? 0 : 1, ordinal);
            }

            EndUnit(chunkIndex);
        }

        private int FoldAt(long ordinal)
        {
            int f = 0;
            while (f < folds - 1 && ordinal >= bounds[f + 1]) { f++; }
            return f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Add(float score, int fold, int subset, long ordinal)
        {
            uint key = ScoreKeys.Key(score);
            int bucket = (int)(key >> ScoreKeys.BucketShift);
            if (fineIndex != null)
            {
                int f = fineIndex[bucket];
                if (f >= 0) { fine[((f * ImpostorAccumulator.Subsets) + subset) * ImpostorAccumulator.BucketKeys + (int)(key & 0xFFFF)]++; }
                if (FineOnly) { return; }
            }

            sinceMerge++;
            int unit = subset * folds + fold;
            coarse[unit * ScoreKeys.BucketCount + bucket]++;
            int a0 = anchorStart[bucket];
            int a1 = anchorStart[bucket + 1];
            if (a0 != a1) { AddAnchored(key, a0, a1, unit); }
            if (key > tailCut) { AddTail(key, subset, ordinal); }
            if (subset == 0)
            {
                sum0 += score;
                squares0 += (double)score * score;
                if (score < min[0]) { min[0] = score; }
                if (score > max[0]) { max[0] = score; }
            }
            else
            {
                sum1 += score;
                squares1 += (double)score * score;
                if (score < min[1]) { min[1] = score; }
                if (score > max[1]) { max[1] = score; }
            }
        }

        private void AddAnchored(uint key, int lo, int hi, int unit)
        {
            int end = hi;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (anchors[mid] < key) { lo = mid + 1; } else { hi = mid; }
            }

            // Above the bucket's last anchor: the bucket count minus the slots recovers it, so it is not slotted.
            if (lo == end) { return; }
            slots[unit * slotCount + 2 * lo + (anchors[lo] == key ? 1 : 0)]++;
        }

        private void AddTail(uint key, int subset, long ordinal)
        {
            if (ordinal > 0x7FFFFFFE) { ordinalsTruncated = true; ordinal = 0x7FFFFFFF; }
            tailBuffer[tailCount++] = ((ulong)key << 32) | ((ulong)subset << 31) | (ulong)ordinal;
            if (tailCount == TailBufferSize) { FlushTail(); }
        }

        private void FlushTail()
        {
            owner.Tail.Add(tailBuffer, tailCount);
            tailCount = 0;
            tailCut = owner.Tail.Cut;
        }

        private void EndUnit(int unit)
        {
            if (FineOnly) { return; }
            if (sinceMerge >= 1L << 31)
            {
                // Per-worker counters are 32-bit to stay in cache; hand them over long before one could wrap.
                lock (owner) { MergeCounts(owner); }
                sinceMerge = 0;
            }

            var partials = owner.Partials;
            partials[unit * 4] = sum0;
            partials[unit * 4 + 1] = squares0;
            partials[unit * 4 + 2] = sum1;
            partials[unit * 4 + 3] = squares1;
        }

        internal void MergeInto(ImpostorAccumulator target)
        {
            FlushTail();
            MergeCounts(target);
            for (int s = 0; s < 2; s++)
            {
                target.Min[s] = Math.Min(target.Min[s], min[s]);
                target.Max[s] = Math.Max(target.Max[s], max[s]);
            }

            if (ordinalsTruncated) { target.OrdinalsTruncated = true; }
        }

        private void MergeCounts(ImpostorAccumulator target)
        {
            for (int i = 0; i < coarse.Length; i++) { target.Coarse[i] += coarse[i]; }
            for (int i = 0; i < slots.Length; i++) { target.Slots[i] += slots[i]; }
            Array.Clear(coarse, 0, coarse.Length);
            Array.Clear(slots, 0, slots.Length);
        }

        internal void MergeFineInto(ImpostorAccumulator target)
        {
            for (int f = 0; f < FineBuckets.Length; f++)
            {
                var counts = target.Fine[FineBuckets[f]];
                int offset = f * ImpostorAccumulator.Subsets * ImpostorAccumulator.BucketKeys;
                for (int i = 0; i < counts.Length; i++) { counts[i] += fine[offset + i]; }
            }
        }
    }
}
