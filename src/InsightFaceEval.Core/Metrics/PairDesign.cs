using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// How one model's images form pairs (AllPairs, GalleryProbe, PairList): the pair ordinals the k-fold split
    /// cuts into contiguous folds, which pairs are genuine, which failed, and how impostor pairs are scored.
    /// Images are indexed in design order; <see cref="Row"/> maps an embedded image to its matrix row.
    /// </summary>
    public abstract class PairDesign
    {
        protected PairDesign(string protocol, IReadOnlyList<FaceEmbedding> images, int[] identity, bool[] common, int folds)
        {
            Protocol = protocol;
            Images = images;
            Identity = identity;
            Common = common;
            Completed = new bool[images.Count];
            Row = new int[images.Count];
            int rows = 0;
            for (int i = 0; i < images.Count; i++)
            {
                Completed[i] = images[i].Status == EmbeddingStatus.Success;
                Row[i] = Completed[i] ? rows++ : -1;
                if (!Completed[i]) { Common[i] = false; }
            }

            RowImage = new int[rows];
            for (int i = 0; i < images.Count; i++) { if (Row[i] >= 0) { RowImage[Row[i]] = i; } }
            Folds = folds;
        }

        public string Protocol { get; }

        public IReadOnlyList<FaceEmbedding> Images { get; }

        /// <summary>Identity index of each image (shared by every model in one measurement).</summary>
        public int[] Identity { get; }

        public bool[] Completed { get; }

        /// <summary>Embedded by every compared model.</summary>
        public bool[] Common { get; }

        /// <summary>Matrix row of each image; -1 for a failure to acquire.</summary>
        public int[] Row { get; }

        public int[] RowImage { get; }

        public int Folds { get; }

        /// <summary>The work units (tiles or pair chunks) <see cref="ScoreImpostors"/> scores: null for all, a shard's range otherwise.</summary>
        public UnitRange? ScoredUnits { get; set; }

        /// <summary>Every pair of the protocol, failed ones included: the ordinals are 0 .. PairCount-1.</summary>
        public long PairCount { get; protected set; }

        /// <summary>Fold f holds ordinals [FoldStart(f), FoldStart(f+1)).</summary>
        public long FoldStart(int fold) => (long)Math.Floor((decimal)fold * PairCount / Folds);

        public long[] FoldBoundaries()
        {
            var b = new long[Folds + 1];
            for (int f = 0; f <= Folds; f++) { b[f] = FoldStart(f); }
            return b;
        }

        public int FoldOf(long ordinal)
        {
            int f = (int)Math.Min(Folds - 1, (decimal)ordinal * Folds / Math.Max(1, PairCount));
            while (f > 0 && ordinal < FoldStart(f)) { f--; }
            while (f < Folds - 1 && ordinal >= FoldStart(f + 1)) { f++; }
            return f;
        }

        /// <summary>The two images of pair <paramref name="ordinal"/>.</summary>
        public abstract void PairAt(long ordinal, out int a, out int b);

        /// <summary>Calls <paramref name="visit"/>(a, b, ordinal) for every genuine pair, failed ones included.</summary>
        public abstract void ForEachGenuine(Action<int, int, long> visit);

        /// <summary>Impostor pairs with a failed image, counted per fold (they score -1 at system level).</summary>
        public abstract long[] FailedImpostorsPerFold();

        /// <summary>Scores every completed impostor pair into <paramref name="sinks"/> (one per worker).</summary>
        public abstract void ScoreImpostors(EmbeddingMatrix matrix, IReadOnlyList<ImpostorSink> sinks, ScoringProgress progress, CancellationToken cancellationToken);

        /// <summary>
        /// Impostor pairs of a pair set, with identity a drawn w[a] times: sum over its impostor pairs of w[a] * w[b].
        /// SystemLevel counts every impostor pair of the protocol, failed ones included.
        /// </summary>
        public abstract double WeightedImpostors(int[] weights, PairSet set);

        /// <summary>Whether image <paramref name="i"/>'s pairs belong to <paramref name="set"/> (as far as this image decides).</summary>
        protected bool Includes(int i, PairSet set) =>
            set == PairSet.SystemLevel || (set == PairSet.CommonCompleted ? Common[i] : Completed[i]);

        /// <summary>Whether both images of the pair were embedded.</summary>
        public virtual bool PairCompleted(int a, int b, long ordinal) => Completed[a] && Completed[b];

        /// <summary>Whether every compared model completed the pair.</summary>
        public virtual bool PairCommon(int a, int b, long ordinal) => Common[a] && Common[b];

        /// <summary>The score of a completed pair, with the kernel's arithmetic.</summary>
        public virtual float PairScore(EmbeddingMatrix matrix, int a, int b, long ordinal) => matrix.Score(Row[a], Row[b]);

        /// <summary>Completed pairs of the protocol, genuine and impostor.</summary>
        public abstract long CompletedPairCount();

        /// <summary>Keys of up to <paramref name="count"/> completed impostor pairs drawn at random (to predict where order statistics fall).</summary>
        public abstract List<uint> SampleImpostorKeys(EmbeddingMatrix matrix, int count, Random random);
    }

    /// <summary>Every pair of images (i &lt; j in sorted order); genuine when both share an identity.</summary>
    public sealed class AllPairsDesign : PairDesign
    {
        private readonly int n;

        public AllPairsDesign(IReadOnlyList<FaceEmbedding> images, int[] identity, bool[] common, int folds)
            : base("AllPairs", images, identity, common, folds)
        {
            n = images.Count;
            PairCount = (long)n * (n - 1) / 2;
        }

        public override long CompletedPairCount() => (long)RowImage.Length * (RowImage.Length - 1) / 2;

        public override List<uint> SampleImpostorKeys(EmbeddingMatrix matrix, int count, Random random)
        {
            var keys = new List<uint>(count);
            int rows = RowImage.Length;
            for (int attempt = 0; keys.Count < count && attempt < 20 * count && rows > 1; attempt++)
            {
                int x = random.Next(rows), y = random.Next(rows);
                if (x == y || Identity[RowImage[x]] == Identity[RowImage[y]]) { continue; }
                keys.Add(ScoreKeys.Key(matrix.Score(x, y)));
            }

            return keys;
        }

        /// <summary>Ordinal of (a, b), a &lt; b, is RowBase(a) + b.</summary>
        internal long RowBase(int a) => (long)a * n - (long)a * (a + 1) / 2 - a - 1;

        public long Ordinal(int a, int b) => a < b ? RowBase(a) + b : RowBase(b) + a;

        public override void PairAt(long ordinal, out int a, out int b)
        {
            int lo = 0, hi = n - 2;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) / 2;
                if (RowBase(mid) + mid + 1 <= ordinal) { lo = mid; } else { hi = mid - 1; }
            }

            a = lo;
            b = (int)(ordinal - RowBase(lo));
        }

        public override void ForEachGenuine(Action<int, int, long> visit)
        {
            foreach (var group in GroupByIdentity())
            {
                for (int x = 0; x < group.Count; x++)
                {
                    for (int y = x + 1; y < group.Count; y++)
                    {
                        visit(group[x], group[y], Ordinal(group[x], group[y]));
                    }
                }
            }
        }

        public override long[] FailedImpostorsPerFold()
        {
            var perFold = new long[Folds];
            for (int a = 0; a < n; a++)
            {
                if (Completed[a]) { continue; }
                for (int b = 0; b < n; b++)
                {
                    if (b == a || Identity[b] == Identity[a] || (!Completed[b] && b < a)) { continue; }
                    perFold[FoldOf(Ordinal(a, b))]++;
                }
            }

            return perFold;
        }

        public override void ScoreImpostors(EmbeddingMatrix matrix, IReadOnlyList<ImpostorSink> sinks, ScoringProgress progress, CancellationToken cancellationToken)
        {
            var bounds = FoldBoundaries();
            foreach (var sink in sinks) { sink.BindAllPairs(this, bounds); }
            SimilarityKernel.RunAllPairs(matrix, sinks, progress, cancellationToken, ScoredUnits);
        }

        public override double WeightedImpostors(int[] weights, PairSet set)
        {
            // sum_{a<b} w_a w_b n_a n_b = ((sum w n)^2 - sum (w n)^2) / 2, over identities.
            var counts = new Dictionary<int, long>();
            for (int i = 0; i < n; i++)
            {
                if (!Includes(i, set)) { continue; }
                counts.TryGetValue(Identity[i], out var c);
                counts[Identity[i]] = c + 1;
            }

            double sum = 0, squares = 0;
            foreach (var kv in counts)
            {
                double wn = (double)weights[kv.Key] * kv.Value;
                sum += wn;
                squares += wn * wn;
            }

            return (sum * sum - squares) / 2;
        }

        private List<List<int>> GroupByIdentity()
        {
            var groups = new Dictionary<int, List<int>>();
            var order = new List<List<int>>();
            for (int i = 0; i < n; i++)
            {
                if (!groups.TryGetValue(Identity[i], out var list))
                {
                    list = new List<int>();
                    groups.Add(Identity[i], list);
                    order.Add(list);
                }

                list.Add(i);
            }

            return order;
        }
    }

    /// <summary>
    /// Each probe against each gallery image: genuine when they share an identity. Pair ordinal is
    /// probe position * gallery size + gallery position, so folds are contiguous runs of probes.
    /// </summary>
    public sealed class GalleryProbeDesign : PairDesign
    {
        public GalleryProbeDesign(IReadOnlyList<FaceEmbedding> images, int[] identity, bool[] common, bool[] isGallery, int folds)
            : base("GalleryProbe", images, identity, common, folds)
        {
            var gallery = new List<int>();
            var probes = new List<int>();
            for (int i = 0; i < images.Count; i++) { (isGallery[i] ? gallery : probes).Add(i); }
            Gallery = gallery.ToArray();
            Probes = probes.ToArray();
            PairCount = (long)Gallery.Length * Probes.Length;
        }

        public override long CompletedPairCount()
        {
            long g = 0, p = 0;
            foreach (var i in Gallery) { if (Completed[i]) { g++; } }
            foreach (var i in Probes) { if (Completed[i]) { p++; } }
            return g * p;
        }

        public override List<uint> SampleImpostorKeys(EmbeddingMatrix matrix, int count, Random random)
        {
            var probes = Probes.Where(i => Completed[i]).ToArray();
            var gallery = Gallery.Where(i => Completed[i]).ToArray();
            var keys = new List<uint>(count);
            for (int attempt = 0; keys.Count < count && attempt < 20 * count && probes.Length > 0 && gallery.Length > 0; attempt++)
            {
                int a = probes[random.Next(probes.Length)], b = gallery[random.Next(gallery.Length)];
                if (Identity[a] == Identity[b]) { continue; }
                keys.Add(ScoreKeys.Key(matrix.Score(Row[a], Row[b])));
            }

            return keys;
        }

        /// <summary>Image indices of the gallery, in design order.</summary>
        public int[] Gallery { get; }

        public int[] Probes { get; }

        public override void PairAt(long ordinal, out int a, out int b)
        {
            a = Probes[ordinal / Gallery.Length];
            b = Gallery[ordinal % Gallery.Length];
        }

        public override void ForEachGenuine(Action<int, int, long> visit)
        {
            var byIdentity = new Dictionary<int, List<int>>();
            for (int g = 0; g < Gallery.Length; g++)
            {
                if (!byIdentity.TryGetValue(Identity[Gallery[g]], out var list)) { byIdentity[Identity[Gallery[g]]] = list = new List<int>(); }
                list.Add(g);
            }

            for (int p = 0; p < Probes.Length; p++)
            {
                if (!byIdentity.TryGetValue(Identity[Probes[p]], out var list)) { continue; }
                foreach (var g in list) { visit(Probes[p], Gallery[g], (long)p * Gallery.Length + g); }
            }
        }

        public override long[] FailedImpostorsPerFold()
        {
            var perFold = new long[Folds];
            for (int p = 0; p < Probes.Length; p++)
            {
                bool probeFailed = !Completed[Probes[p]];
                for (int g = 0; g < Gallery.Length; g++)
                {
                    if ((probeFailed || !Completed[Gallery[g]]) && Identity[Probes[p]] != Identity[Gallery[g]])
                    {
                        perFold[FoldOf((long)p * Gallery.Length + g)]++;
                    }
                }
            }

            return perFold;
        }

        public override void ScoreImpostors(EmbeddingMatrix matrix, IReadOnlyList<ImpostorSink> sinks, ScoringProgress progress, CancellationToken cancellationToken)
        {
            var probeRows = new List<int>();
            var probePositions = new List<int>();
            for (int p = 0; p < Probes.Length; p++) { if (Row[Probes[p]] >= 0) { probeRows.Add(Row[Probes[p]]); probePositions.Add(p); } }
            var galleryRows = new List<int>();
            var galleryPositions = new List<int>();
            for (int g = 0; g < Gallery.Length; g++) { if (Row[Gallery[g]] >= 0) { galleryRows.Add(Row[Gallery[g]]); galleryPositions.Add(g); } }
            var probeMatrix = Subset(matrix, probeRows);
            var galleryMatrix = Subset(matrix, galleryRows);
            var bounds = FoldBoundaries();
            foreach (var sink in sinks) { sink.BindCross(this, bounds, probePositions.ToArray(), galleryPositions.ToArray()); }
            SimilarityKernel.RunCross(probeMatrix, galleryMatrix, sinks, progress, cancellationToken, ScoredUnits);
        }

        public override double WeightedImpostors(int[] weights, PairSet set)
        {
            // sum_{a != b} w_a w_b p_a g_b = (sum w p)(sum w g) - sum w^2 p g.
            var p = new Dictionary<int, long>();
            var g = new Dictionary<int, long>();
            foreach (var i in Probes) { if (Includes(i, set)) { p.TryGetValue(Identity[i], out var c); p[Identity[i]] = c + 1; } }
            foreach (var i in Gallery) { if (Includes(i, set)) { g.TryGetValue(Identity[i], out var c); g[Identity[i]] = c + 1; } }
            double sp = 0, sg = 0, same = 0;
            foreach (var kv in p)
            {
                sp += (double)weights[kv.Key] * kv.Value;
                if (g.TryGetValue(kv.Key, out var gc)) { same += (double)weights[kv.Key] * weights[kv.Key] * kv.Value * gc; }
            }

            foreach (var kv in g) { sg += (double)weights[kv.Key] * kv.Value; }
            return sp * sg - same;
        }

        internal static EmbeddingMatrix Subset(EmbeddingMatrix matrix, List<int> rows) => matrix.SelectRows(rows);
    }
}
