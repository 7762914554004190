using System;
using System.Runtime.CompilerServices;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
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
