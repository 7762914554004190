using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace InsightFaceEval.Scoring
{
    /// <summary>A block of scores handed to one worker's sink: rows x columns, row-major, Columns floats per row.</summary>
    public struct ScoreTile
    {
        /// <summary>Position of the tile in the schedule: a stable index, so per-tile partial sums merge in a fixed order.</summary>
        public int Index;
        public int RowStart;
        public int RowCount;
        public int ColumnStart;
        public int ColumnCount;

        /// <summary>True on the diagonal of an all-pairs run: only entries with column &gt; row are pairs.</summary>
        public bool Diagonal;
    }

    /// <summary>Receives the scores one worker computes. Called on worker threads only; never on the pipeline thread.</summary>
    public interface IScoreSink
    {
        void Tile(in ScoreTile tile, float[] scores);

        /// <summary>Scores of explicit pairs <paramref name="start"/> .. start+count-1 of a pair list.</summary>
        void Pairs(int chunkIndex, int start, int count, float[] scores);
    }

    /// <summary>
    /// The work units (tiles, or pair chunks) of one shard: [Start, End) of the full schedule's stable indices. A shard
    /// scores only its units, and each unit keeps its index, so per-unit partial sums merge as in one run.
    /// </summary>
    public struct UnitRange
    {
        public UnitRange(int start, int end)
        {
            Start = start;
            End = end;
        }

        public int Start { get; }

        public int End { get; }

        public bool Contains(int unit) => unit >= Start && unit < End;
    }

    /// <summary>Pairs scored so far, read by the pipeline thread for progress while workers run.</summary>
    public sealed class ScoringProgress
    {
        private long done;

        public long Total { get; internal set; }

        public long Done => Interlocked.Read(ref done);

        internal void Add(long pairs) => Interlocked.Add(ref done, pairs);
    }

    /// <summary>
    /// Many-against-many cosine scoring over normalised matrices. Work is cut into cache-sized blocks of rows
    /// (two 64-row blocks of 512 floats stay in L2) and each block into 4x2 register tiles: eight independent
    /// vector accumulators, each row and column loaded once per four or two dot products.
    /// </summary>
    /// <remarks>
    /// Why not System.Numerics.Tensors here, as the scoring issue asked: TensorPrimitives has no many-against-many
    /// (matrix) product, only one dot product per call, and calling TensorPrimitives.Dot once per pair measured
    /// 2x to 3x slower than these tiles on one core (bench/ScoringKernel.Bench.ps1, 512 floats; the module ships
    /// the netstandard2.0 build of the package). So System.Numerics.Tensors does what it is good at, normalising and
    /// validating each embedding once (<see cref="EmbeddingMatrix.FromVectors"/>), and this hand-written
    /// Vector&lt;float&gt; kernel does the dot products. Single pairs do not use TensorPrimitives.Dot either, although
    /// it is as fast as one kernel dot: it sums in a different order, and its float32 result differs in the last
    /// bits for most pairs, so a pair scored alone (Compare-FaceEmbedding) would not equal the same pair scored in a
    /// tile (Measure-FaceVerification), and ties and thresholds would move between the two. Every score, tiled or
    /// single, runs <see cref="Dot(float[], int, int, int)"/>'s arithmetic in the same order, bit-for-bit the same.
    /// </remarks>
    public static class SimilarityKernel
    {
        public const int BlockSize = 64;
        private const int PairChunk = 8192;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe float Dot(float[] data, int a, int b, int stride)
        {
            fixed (float* p = data) { return Dot(p + a, p + b, stride); }
        }

        public static unsafe float Dot(float[] left, int a, float[] right, int b, int stride)
        {
            fixed (float* p = left)
            fixed (float* q = right)
            {
                return Dot(p + a, q + b, stride);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe float Dot(float* x, float* y, int stride)
        {
            int w = Vector<float>.Count;
            var acc = Vector<float>.Zero;
            for (int k = 0; k < stride; k += w)
            {
                acc += Unsafe.Read<Vector<float>>(x + k) * Unsafe.Read<Vector<float>>(y + k);
            }

            return Finish(acc);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Finish(Vector<float> acc)
        {
            // Rounding can push the cosine of unit vectors a hair past +-1; the score is defined on [-1, 1].
            float s = Vector.Dot(acc, Vector<float>.One);
            return s > 1f ? 1f : (s < -1f ? -1f : s);
        }

        /// <summary>Every pair (i &lt; j) of the matrix's rows, one sink per worker thread.</summary>
        public static void RunAllPairs(EmbeddingMatrix matrix, IReadOnlyList<IScoreSink> sinks, ScoringProgress progress, CancellationToken cancellationToken, UnitRange? units = null)
        {
            int blocks = (matrix.Rows + BlockSize - 1) / BlockSize;
            var tiles = new List<ScoreTile>();
            for (int bi = 0; bi < blocks; bi++)
            {
                for (int bj = bi; bj < blocks; bj++)
                {
                    tiles.Add(MakeTile(tiles.Count, bi, bj, matrix.Rows, matrix.Rows, bi == bj));
                }
            }

            if (progress != null) { progress.Total = (long)matrix.Rows * (matrix.Rows - 1) / 2; }
            RunTiles(matrix, matrix, Select(tiles, units, progress), sinks, progress, cancellationToken);
        }

        /// <summary>Every row of <paramref name="rows"/> against every row of <paramref name="columns"/>.</summary>
        public static void RunCross(EmbeddingMatrix rows, EmbeddingMatrix columns, IReadOnlyList<IScoreSink> sinks, ScoringProgress progress, CancellationToken cancellationToken, UnitRange? units = null)
        {
            if (rows.Stride != columns.Stride) { throw new ArgumentException("The matrices have different embedding lengths."); }
            int rowBlocks = (rows.Rows + BlockSize - 1) / BlockSize;
            int colBlocks = (columns.Rows + BlockSize - 1) / BlockSize;
            var tiles = new List<ScoreTile>(rowBlocks * colBlocks);
            for (int bi = 0; bi < rowBlocks; bi++)
            {
                for (int bj = 0; bj < colBlocks; bj++)
                {
                    tiles.Add(MakeTile(tiles.Count, bi, bj, rows.Rows, columns.Rows, false));
                }
            }

            if (progress != null) { progress.Total = (long)rows.Rows * columns.Rows; }
            RunTiles(rows, columns, Select(tiles, units, progress), sinks, progress, cancellationToken);
        }

        /// <summary>Explicit pairs (left[i], right[i]) of one matrix, in chunks spread over the workers.</summary>
        public static void RunPairs(EmbeddingMatrix matrix, int[] left, int[] right, IReadOnlyList<IScoreSink> sinks, ScoringProgress progress, CancellationToken cancellationToken, UnitRange? units = null)
        {
            int chunks = (left.Length + PairChunk - 1) / PairChunk;
            int first = 0;
            if (units.HasValue)
            {
                first = Math.Min(chunks, units.Value.Start);
                chunks = Math.Min(chunks, units.Value.End);
            }

            int next = first - 1;
            if (progress != null) { progress.Total = Math.Max(0, Math.Min(left.Length, (long)chunks * PairChunk) - (long)first * PairChunk); }
            RunWorkers(sinks.Count, worker =>
            {
                var scores = new float[PairChunk];
                var sink = sinks[worker];
                int chunk;
                while ((chunk = Interlocked.Increment(ref next)) < chunks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int start = chunk * PairChunk;
                    int count = Math.Min(PairChunk, left.Length - start);
                    for (int i = 0; i < count; i++)
                    {
                        scores[i] = matrix.Score(left[start + i], right[start + i]);
                    }

                    sink.Pairs(chunk, start, count, scores);
                    progress?.Add(count);
                }
            });
        }

        /// <summary>Tiles per all-pairs schedule over <paramref name="rows"/> rows, or per cross schedule: the units a shard range indexes.</summary>
        public static long[] TilePairs(int rows, int columns, bool allPairs)
        {
            int rb = (rows + BlockSize - 1) / BlockSize;
            int cb = allPairs ? rb : (columns + BlockSize - 1) / BlockSize;
            var weights = new List<long>();
            for (int bi = 0; bi < rb; bi++)
            {
                for (int bj = allPairs ? bi : 0; bj < cb; bj++)
                {
                    var t = MakeTile(weights.Count, bi, bj, rows, allPairs ? rows : columns, allPairs && bi == bj);
                    weights.Add(t.Diagonal ? (long)t.RowCount * (t.RowCount - 1) / 2 : (long)t.RowCount * t.ColumnCount);
                }
            }

            return weights.ToArray();
        }

        /// <summary>Pair chunks of an explicit pair list of <paramref name="pairs"/> pairs: the units a shard range indexes.</summary>
        public static long[] ChunkPairs(int pairs)
        {
            var weights = new long[(pairs + PairChunk - 1) / PairChunk];
            for (int c = 0; c < weights.Length; c++) { weights[c] = Math.Min(PairChunk, pairs - (long)c * PairChunk); }
            return weights;
        }

        private static List<ScoreTile> Select(List<ScoreTile> tiles, UnitRange? units, ScoringProgress progress)
        {
            if (!units.HasValue) { return tiles; }
            var selected = tiles.FindAll(t => units.Value.Contains(t.Index));
            if (progress != null)
            {
                long total = 0;
                foreach (var t in selected) { total += t.Diagonal ? (long)t.RowCount * (t.RowCount - 1) / 2 : (long)t.RowCount * t.ColumnCount; }
                progress.Total = total;
            }

            return selected;
        }

        private static ScoreTile MakeTile(int index, int bi, int bj, int rows, int columns, bool diagonal)
        {
            int r0 = bi * BlockSize;
            int c0 = bj * BlockSize;
            return new ScoreTile
            {
                Index = index,
                RowStart = r0,
                RowCount = Math.Min(BlockSize, rows - r0),
                ColumnStart = c0,
                ColumnCount = Math.Min(BlockSize, columns - c0),
                Diagonal = diagonal,
            };
        }

        private static void RunTiles(EmbeddingMatrix rows, EmbeddingMatrix columns, List<ScoreTile> tiles, IReadOnlyList<IScoreSink> sinks, ScoringProgress progress, CancellationToken cancellationToken)
        {
            int next = -1;
            RunWorkers(sinks.Count, worker =>
            {
                var scores = new float[BlockSize * BlockSize];
                var sink = sinks[worker];
                int t;
                while ((t = Interlocked.Increment(ref next)) < tiles.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var tile = tiles[t];
                    ComputeTile(rows, columns, tile, scores);
                    sink.Tile(tile, scores);
                    if (progress != null)
                    {
                        progress.Add(tile.Diagonal ? (long)tile.RowCount * (tile.RowCount - 1) / 2 : (long)tile.RowCount * tile.ColumnCount);
                    }
                }
            });
        }

        /// <summary>Runs <paramref name="work"/> on <paramref name="workers"/> threads and rethrows the first failure here.</summary>
        internal static void RunWorkers(int workers, Action<int> work)
        {
            if (workers <= 1)
            {
                work(0);
                return;
            }

            var errors = new Exception[workers];
            var threads = new Thread[workers];
            for (int w = 0; w < workers; w++)
            {
                int worker = w;
                threads[w] = new Thread(() =>
                {
                    try { work(worker); }
                    catch (Exception ex) { errors[worker] = ex; }
                }) { IsBackground = true, Name = "InsightFaceEval scoring " + w };
                threads[w].Start();
            }

            foreach (var thread in threads) { thread.Join(); }
            Exception cancelled = null;
            foreach (var error in errors)
            {
                if (error is OperationCanceledException) { cancelled = error; }
                else if (error != null) { throw new AggregateException(error).Flatten().InnerException ?? error; }
            }

            if (cancelled != null) { throw cancelled; }
        }

        private static unsafe void ComputeTile(EmbeddingMatrix rows, EmbeddingMatrix columns, in ScoreTile tile, float[] scores)
        {
            int stride = rows.Stride;
            int rc = tile.RowCount;
            int cc = tile.ColumnCount;
            fixed (float* pr = rows.Data)
            fixed (float* pc = columns.Data)
            fixed (float* outp = scores)
            {
                float* rbase = pr + (long)tile.RowStart * stride;
                float* cbase = pc + (long)tile.ColumnStart * stride;
                int i = 0;
                for (; i + 4 <= rc; i += 4)
                {
                    float* a0 = rbase + (long)i * stride;
                    int j = 0;
                    for (; j + 2 <= cc; j += 2)
                    {
                        Tile4x2(a0, stride, cbase + (long)j * stride, outp + i * cc + j, cc);
                    }

                    for (; j < cc; j++)
                    {
                        float* b = cbase + (long)j * stride;
                        for (int r = 0; r < 4; r++) { outp[(i + r) * cc + j] = Dot(a0 + r * stride, b, stride); }
                    }
                }

                for (; i < rc; i++)
                {
                    float* a = rbase + (long)i * stride;
                    for (int j = 0; j < cc; j++) { outp[i * cc + j] = Dot(a, cbase + (long)j * stride, stride); }
                }
            }
        }

        /// <summary>Scores of rows a0..a0+3 against columns b0, b0+1: eight independent accumulators.</summary>
        private static unsafe void Tile4x2(float* a0, int stride, float* b0, float* output, int outputStride)
        {
            float* a1 = a0 + stride;
            float* a2 = a1 + stride;
            float* a3 = a2 + stride;
            float* b1 = b0 + stride;
            int w = Vector<float>.Count;
            Vector<float> s00 = default, s01 = default, s10 = default, s11 = default;
            Vector<float> s20 = default, s21 = default, s30 = default, s31 = default;
            for (int k = 0; k < stride; k += w)
            {
                var y0 = Unsafe.Read<Vector<float>>(b0 + k);
                var y1 = Unsafe.Read<Vector<float>>(b1 + k);
                var x = Unsafe.Read<Vector<float>>(a0 + k);
                s00 += x * y0;
                s01 += x * y1;
                x = Unsafe.Read<Vector<float>>(a1 + k);
                s10 += x * y0;
                s11 += x * y1;
                x = Unsafe.Read<Vector<float>>(a2 + k);
                s20 += x * y0;
                s21 += x * y1;
                x = Unsafe.Read<Vector<float>>(a3 + k);
                s30 += x * y0;
                s31 += x * y1;
            }

            output[0] = Finish(s00);
            output[1] = Finish(s01);
            output[outputStride] = Finish(s10);
            output[outputStride + 1] = Finish(s11);
            output[2 * outputStride] = Finish(s20);
            output[2 * outputStride + 1] = Finish(s21);
            output[3 * outputStride] = Finish(s30);
            output[3 * outputStride + 1] = Finish(s31);
        }
    }
}
