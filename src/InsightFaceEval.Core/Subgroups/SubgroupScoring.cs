using System;
using System.Collections.Generic;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Subgroups
{
    /// <summary>
    /// One worker's counts of completed impostor pairs by the groups of their sides: every pair in its cell of the FMR
    /// matrix (and whether it reaches the global threshold); within-group pairs also by score key, coarsely (the top
    /// 16 bits) in the first pass and, in the second, exactly inside the one coarse bucket each group's own threshold
    /// falls in. Counting keys is counting exact float scores, as the verification engine does.
    /// </summary>
    internal sealed class SubgroupSink : IScoreSink
    {
        private readonly int[] groupOf;
        private readonly int[] identity;
        private readonly int[] rowImage;
        private readonly int groups;
        private readonly uint threshold;
        private readonly int[] fineBucket;

        public SubgroupSink(int[] groupOf, int[] identity, int[] rowImage, int groups, uint threshold, int[] fineBucket)
        {
            this.groupOf = groupOf;
            this.identity = identity;
            this.rowImage = rowImage;
            this.groups = groups;
            this.threshold = threshold;
            this.fineBucket = fineBucket;
            if (fineBucket == null)
            {
                Pairs = new long[groups * groups];
                FalseMatches = new long[groups * groups];
                Coarse = new long[groups][];
                for (int g = 0; g < groups; g++) { Coarse[g] = new long[ScoreKeys.BucketCount]; }
            }
            else
            {
                Fine = new long[groups][];
                for (int g = 0; g < groups; g++) { Fine[g] = fineBucket[g] >= 0 ? new long[1 << ScoreKeys.BucketShift] : null; }
            }
        }

        /// <summary>Impostor pairs per cell [a * groups + b] with a &lt;= b (first pass).</summary>
        public long[] Pairs { get; }

        public long[] FalseMatches { get; }

        /// <summary>Within-group impostor pairs per coarse bucket (first pass).</summary>
        public long[][] Coarse { get; }

        /// <summary>Within-group impostor pairs per key inside the group's bucket (second pass; null for groups not refined).</summary>
        public long[][] Fine { get; }

        /// <summary>One completed impostor pair of images <paramref name="a"/> and <paramref name="b"/>.</summary>
        public void Impostor(int a, int b, float score)
        {
            int ga = groupOf[a], gb = groupOf[b];
            if (ga < 0 || gb < 0) { return; }
            uint key = ScoreKeys.Key(score);
            if (Fine != null)
            {
                if (ga == gb && Fine[ga] != null && ScoreKeys.Bucket(key) == fineBucket[ga]) { Fine[ga][key & 0xFFFF]++; }
                return;
            }

            int cell = ga <= gb ? ga * groups + gb : gb * groups + ga;
            Pairs[cell]++;
            if (key >= threshold) { FalseMatches[cell]++; }
            if (ga == gb) { Coarse[ga][ScoreKeys.Bucket(key)]++; }
        }

        public void Tile(in ScoreTile tile, float[] scores)
        {
            for (int i = 0; i < tile.RowCount; i++)
            {
                int a = rowImage[tile.RowStart + i];
                int offset = i * tile.ColumnCount;
                for (int j = tile.Diagonal ? i + 1 : 0; j < tile.ColumnCount; j++)
                {
                    int b = rowImage[tile.ColumnStart + j];
                    if (identity[a] != identity[b]) { Impostor(a, b, scores[offset + j]); }
                }
            }
        }

        void IScoreSink.Pairs(int chunkIndex, int start, int count, float[] scores) => throw new NotSupportedException();

        /// <summary>
        /// Every completed impostor pair of <paramref name="design"/> into the sinks: all pairs through the tiled kernel on
        /// the worker threads, explicit and gallery-by-probe pairs one by one into the first sink.
        /// </summary>
        public static void ScoreImpostors(PairDesign design, EmbeddingMatrix matrix, IReadOnlyList<SubgroupSink> sinks, CancellationToken cancellationToken)
        {
            if (design is AllPairsDesign && matrix != null)
            {
                SimilarityKernel.RunAllPairs(matrix, sinks, null, cancellationToken);
                return;
            }

            var list = design as PairListDesign;
            var sink = sinks[0];
            for (long o = 0; o < design.PairCount; o++)
            {
                if ((o & 0xFFFF) == 0) { cancellationToken.ThrowIfCancellationRequested(); }
                design.PairAt(o, out var a, out var b);
                bool genuine = list != null ? list.IsGenuinePair(o) : design.Identity[a] == design.Identity[b];
                if (genuine || !design.PairCompleted(a, b, o)) { continue; }
                sink.Impostor(a, b, design.PairScore(matrix, a, b, o));
            }
        }
    }
}
