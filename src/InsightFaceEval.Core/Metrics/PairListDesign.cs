using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>An explicit list of labelled pairs (CSV or LFW pairs.txt), or pairs scored elsewhere (FaceComparison input).</summary>
    public sealed class PairListDesign : PairDesign
    {
        private readonly int[] left;
        private readonly int[] right;
        private readonly bool[] genuine;
        private readonly float[] givenScores;
        private readonly bool[] givenCompleted;
        private readonly bool[] givenCommon;
        private readonly Dictionary<long, long>[] identityPairCounts = new Dictionary<long, long>[3];

        /// <param name="givenScores">Scores supplied with the pairs (FaceComparison input), or null to score from embeddings.</param>
        /// <param name="givenCompleted">With given scores: whether each pair was completed (a failed comparison names no failed image).</param>
        /// <param name="givenCommon">With given scores: whether every compared model completed each pair.</param>
        public PairListDesign(string protocol, IReadOnlyList<FaceEmbedding> images, int[] identity, bool[] common, int[] left, int[] right, bool[] genuine,
            float[] givenScores, bool[] givenCompleted, bool[] givenCommon, int folds)
            : base(protocol, images, identity, common, folds)
        {
            this.left = left;
            this.right = right;
            this.genuine = genuine;
            this.givenScores = givenScores;
            this.givenCompleted = givenCompleted;
            this.givenCommon = givenCommon;
            PairCount = left.Length;
        }

        public bool HasGivenScores => givenScores != null;

        public bool IsGenuinePair(long ordinal) => genuine[ordinal];

        public override void PairAt(long ordinal, out int a, out int b)
        {
            a = left[ordinal];
            b = right[ordinal];
        }

        public override bool PairCompleted(int a, int b, long ordinal) => givenCompleted != null ? givenCompleted[ordinal] : base.PairCompleted(a, b, ordinal);

        public override bool PairCommon(int a, int b, long ordinal) => givenCommon != null ? givenCommon[ordinal] : base.PairCommon(a, b, ordinal);

        public override float PairScore(EmbeddingMatrix matrix, int a, int b, long ordinal) => givenScores != null ? givenScores[ordinal] : base.PairScore(matrix, a, b, ordinal);

        public override List<uint> SampleImpostorKeys(EmbeddingMatrix matrix, int count, Random random)
        {
            var candidates = new List<int>();
            for (int i = 0; i < left.Length; i++) { if (!genuine[i] && PairCompleted(left[i], right[i], i)) { candidates.Add(i); } }
            var keys = new List<uint>(count);
            for (int k = 0; k < count && candidates.Count > 0; k++)
            {
                int o = candidates[random.Next(candidates.Count)];
                keys.Add(ScoreKeys.Key(PairScore(matrix, left[o], right[o], o)));
            }

            return keys;
        }

        public override long CompletedPairCount()
        {
            long n = 0;
            for (int i = 0; i < left.Length; i++) { if (PairCompleted(left[i], right[i], i)) { n++; } }
            return n;
        }

        public override void ForEachGenuine(Action<int, int, long> visit)
        {
            for (int i = 0; i < left.Length; i++) { if (genuine[i]) { visit(left[i], right[i], i); } }
        }

        public override long[] FailedImpostorsPerFold()
        {
            var perFold = new long[Folds];
            for (int i = 0; i < left.Length; i++)
            {
                if (!genuine[i] && !PairCompleted(left[i], right[i], i)) { perFold[FoldOf(i)]++; }
            }

            return perFold;
        }

        public override void ScoreImpostors(EmbeddingMatrix matrix, IReadOnlyList<ImpostorSink> sinks, ScoringProgress progress, CancellationToken cancellationToken)
        {
            var ordinals = new List<int>();
            for (int i = 0; i < left.Length; i++)
            {
                if (!genuine[i] && PairCompleted(left[i], right[i], i)) { ordinals.Add(i); }
            }

            var ord = ordinals.ToArray();
            var common = new bool[ord.Length];
            for (int i = 0; i < ord.Length; i++) { common[i] = PairCommon(left[ord[i]], right[ord[i]], ord[i]); }
            var bounds = FoldBoundaries();
            foreach (var sink in sinks) { sink.BindPairList(this, bounds, ord, common); }
            if (givenScores != null)
            {
                ScoreGiven(ord, sinks, progress, cancellationToken);
                return;
            }

            var l = new int[ord.Length];
            var r = new int[ord.Length];
            for (int i = 0; i < ord.Length; i++)
            {
                l[i] = Row[left[ord[i]]];
                r[i] = Row[right[ord[i]]];
            }

            SimilarityKernel.RunPairs(matrix, l, r, sinks, progress, cancellationToken, ScoredUnits);
        }

        private void ScoreGiven(int[] ord, IReadOnlyList<ImpostorSink> sinks, ScoringProgress progress, CancellationToken cancellationToken)
        {
            const int chunk = 8192;
            var scores = new float[chunk];
            if (progress != null) { progress.Total = ord.Length; }
            for (int start = 0, index = 0; start < ord.Length; start += chunk, index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ScoredUnits.HasValue && !ScoredUnits.Value.Contains(index)) { continue; }
                int count = Math.Min(chunk, ord.Length - start);
                for (int i = 0; i < count; i++) { scores[i] = givenScores[ord[start + i]]; }
                sinks[0].Pairs(index, start, count, scores);
                progress?.Add(count);
            }
        }

        public override double WeightedImpostors(int[] weights, PairSet set)
        {
            // Counted once per identity pair, so each bootstrap replicate costs the number of identity pairs, not of pairs.
            int view = (int)set;
            var counts = identityPairCounts[view];
            if (counts == null)
            {
                counts = new Dictionary<long, long>();
                for (int i = 0; i < left.Length; i++)
                {
                    int a = left[i], b = right[i];
                    bool included = set == PairSet.SystemLevel || (set == PairSet.CommonCompleted ? PairCommon(a, b, i) : PairCompleted(a, b, i));
                    if (genuine[i] || !included) { continue; }
                    long code = ((long)Identity[a] << 32) | (uint)Identity[b];
                    counts.TryGetValue(code, out var c);
                    counts[code] = c + 1;
                }

                identityPairCounts[view] = counts;
            }

            double total = 0;
            foreach (var kv in counts)
            {
                total += (double)weights[(int)(kv.Key >> 32)] * weights[(int)(kv.Key & 0xFFFFFFFF)] * kv.Value;
            }

            return total;
        }
    }
}
