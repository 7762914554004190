using System;
using System.Collections.Generic;
using System.Linq;
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
}
