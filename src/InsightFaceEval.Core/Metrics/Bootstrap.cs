using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>Per-replicate values of one pair set: NaN where a replicate could not be measured.</summary>
    public sealed class BootstrapReplicates
    {
        public BootstrapReplicates(double[][] tar, double[] eer, string[] notes)
        {
            Tar = tar;
            Eer = eer;
            Notes = notes;
        }

        /// <summary>[target][replicate].</summary>
        public double[][] Tar { get; }

        public double[] Eer { get; }

        /// <summary>Why some intervals are missing.</summary>
        public string[] Notes { get; }

        /// <summary>The 95% (or other) percentile interval of each metric; null where any replicate is missing.</summary>
        public BootstrapIntervals Intervals(double confidence)
        {
            var result = new BootstrapIntervals { TarLower = new double?[Tar.Length], TarUpper = new double?[Tar.Length] };
            for (int t = 0; t < Tar.Length; t++)
            {
                Interval(Tar[t], confidence, out var lo, out var hi);
                result.TarLower[t] = lo;
                result.TarUpper[t] = hi;
            }

            Interval(Eer, confidence, out var el, out var eu);
            result.EerLower = el;
            result.EerUpper = eu;
            return result;
        }

        public static void Interval(IReadOnlyList<double> values, double confidence, out double? lower, out double? upper)
        {
            lower = upper = null;
            if (values == null || values.Count == 0 || values.Any(double.IsNaN)) { return; }
            var sorted = values.OrderBy(v => v).ToArray();
            lower = Statistics.Percentile(sorted, (1 - confidence) / 2);
            upper = Statistics.Percentile(sorted, 1 - (1 - confidence) / 2);
        }
    }

    /// <summary>
    /// Bootstrap over identities (metrics.md, "Uncertainty"): each replicate draws the identities with replacement,
    /// weights a genuine pair by its identity's count and an impostor pair by the product of both counts, and
    /// re-derives every threshold. Replicate r's draw depends only on (seed, r), so two models resampled with
    /// the same seed see the same identities: that is what makes the model comparison paired.
    /// Impostor scores come from the accumulator's tail (the highest scores with their pairs); a replicate whose
    /// threshold falls below the tail cannot be measured and leaves that interval empty, with a note.
    /// </summary>
    public sealed class BootstrapEngine
    {
        private readonly PairDesign design;
        private readonly bool commonOnly;
        private readonly uint[] genuineKeys;      // descending
        private readonly int[] genuineIdentity;
        private readonly uint[] tailKeys;         // descending
        private readonly int[] tailIdentities;   // identity of both images of each tail pair, interleaved
        private readonly bool tailComplete;
        private readonly bool tailUsable;
        private readonly int[] universe;
        private readonly int identityCount;

        public BootstrapEngine(PairDesign design, bool commonOnly, GenuineView genuine, ImpostorView impostor, int identityCount)
        {
            this.design = design;
            this.commonOnly = commonOnly;
            this.identityCount = identityCount;
            int n = genuine.Records.Length;
            genuineKeys = new uint[n];
            genuineIdentity = new int[n];
            for (int i = 0; i < n; i++)
            {
                genuineKeys[i] = genuine.Records[n - 1 - i].Key;
                genuineIdentity[i] = genuine.Records[n - 1 - i].Identity;
            }

            tailKeys = impostor.TailKeys;
            tailIdentities = new int[2 * tailKeys.Length];
            tailUsable = true;
            for (int i = 0; i < tailKeys.Length; i++)
            {
                int ordinal = impostor.TailOrdinals[i];
                if (ordinal < 0) { tailUsable = false; break; }
                design.PairAt(ordinal, out var a, out var b);
                tailIdentities[2 * i] = design.Identity[a];
                tailIdentities[2 * i + 1] = design.Identity[b];
            }

            tailComplete = tailKeys.Length == impostor.Count;

            // The identities this pair set can draw: those of its images.
            var present = new SortedSet<int>();
            for (int i = 0; i < design.Images.Count; i++)
            {
                if (commonOnly ? design.Common[i] : design.Completed[i]) { present.Add(design.Identity[i]); }
            }

            universe = present.ToArray();
        }

        /// <summary>Identities a replicate draws from.</summary>
        public int Identities => universe.Length;

        /// <param name="pointSupported">Per target: whether the full data support it (no note is written for targets that are insufficient anyway).</param>
        public BootstrapReplicates Run(int samples, int seed, double[] targets, int workers, CancellationToken cancellationToken, bool[] pointSupported = null)
        {
            var tar = new double[targets.Length][];
            for (int t = 0; t < targets.Length; t++) { tar[t] = new double[samples]; }
            var eer = new double[samples];
            var unresolved = new bool[targets.Length + 1];
            var insufficient = new bool[targets.Length];
            if (!tailUsable)
            {
                for (int t = 0; t < targets.Length; t++) { for (int r = 0; r < samples; r++) { tar[t][r] = double.NaN; } }
                for (int r = 0; r < samples; r++) { eer[r] = double.NaN; }
                return new BootstrapReplicates(tar, eer, new[] { "Bootstrap intervals are unavailable: the pair ordinals are too large to keep with the highest scores." });
            }

            int next = -1;
            var gate = new object();
            SimilarityKernel.RunWorkers(Math.Max(1, Math.Min(workers, samples)), worker =>
            {
                var weights = new int[identityCount];
                var cumulative = new double[genuineKeys.Length + 1];
                int r;
                while ((r = Interlocked.Increment(ref next)) < samples)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Draw(seed, r, weights);
                    var flags = Replicate(weights, cumulative, targets, out var eerValue, out var tarValues);
                    eer[r] = eerValue;
                    for (int t = 0; t < targets.Length; t++) { tar[t][r] = tarValues[t]; }
                    lock (gate)
                    {
                        for (int t = 0; t <= targets.Length; t++) { unresolved[t] |= flags[t] == 1; }
                        for (int t = 0; t < targets.Length; t++) { insufficient[t] |= flags[t] == 2; }
                    }
                }
            });

            var notes = new List<string>();
            for (int t = 0; t < targets.Length; t++)
            {
                if (pointSupported != null && !pointSupported[t]) { continue; }
                if (unresolved[t]) { notes.Add($"No interval for TAR@FAR={TarAtFar.FormatFar(targets[t])}: some replicates needed impostor scores below the {tailKeys.Length:N0} highest kept."); }
                else if (insufficient[t]) { notes.Add($"No interval for TAR@FAR={TarAtFar.FormatFar(targets[t])}: some replicates have too few impostor pairs to support it."); }
            }

            if (unresolved[targets.Length]) { notes.Add($"No interval for the EER: some replicates cross below the {tailKeys.Length:N0} highest impostor scores kept."); }
            return new BootstrapReplicates(tar, eer, notes.ToArray());
        }

        private void Draw(int seed, int replicate, int[] weights) => DrawWeights(seed, replicate, universe, weights);

        /// <summary>Replicate <paramref name="replicate"/>'s draw: |universe| identities with replacement, counted into weights.</summary>
        public static void DrawWeights(int seed, int replicate, int[] universe, int[] weights)
        {
            Array.Clear(weights, 0, weights.Length);
            var rng = new Random(unchecked(seed * 1000003 + replicate * 7919 + 17));
            for (int d = 0; d < universe.Length; d++) { weights[universe[rng.Next(universe.Length)]]++; }
        }

        /// <summary>One replicate. Flags per target (and EER last): 0 ok, 1 below the tail, 2 insufficient.</summary>
        private int[] Replicate(int[] w, double[] cumulative, double[] targets, out double eer, out double[] tar)
        {
            var flags = new int[targets.Length + 1];
            tar = new double[targets.Length];
            eer = double.NaN;
            cumulative[0] = 0;
            for (int i = 0; i < genuineKeys.Length; i++) { cumulative[i + 1] = cumulative[i] + w[genuineIdentity[i]]; }
            double ng = cumulative[genuineKeys.Length];
            double ni = design.WeightedImpostors(w, commonOnly);
            if (ng <= 0 || ni <= 0)
            {
                for (int t = 0; t < targets.Length; t++) { tar[t] = double.NaN; flags[t] = 2; }
                flags[targets.Length] = 2;
                return flags;
            }

            // TAR@FAR: the weighted (k+1)-th highest impostor of each target, in one pass down the tail with the
            // targets in budget order. This loop is most of a bootstrap's cost, so it does as little as possible.
            var order = new List<int>();
            var budgets = new long[targets.Length];
            for (int t = 0; t < targets.Length; t++)
            {
                long k = Statistics.Budget(targets[t], ni);
                budgets[t] = k + 1;
                if (k <= 0) { flags[t] = 2; tar[t] = double.NaN; }
                else { order.Add(t); }
            }

            order.Sort((x, y) => budgets[x].CompareTo(budgets[y]));
            int next = 0;
            if (order.Count > 0)
            {
                long need = budgets[order[0]];
                long cum = 0;
                var ids = tailIdentities;
                int n = tailKeys.Length;
                for (int i = 0; i < n; i++)
                {
                    cum += (long)w[ids[2 * i]] * w[ids[2 * i + 1]];
                    if (cum < need) { continue; }
                    while (next < order.Count && cum >= budgets[order[next]])
                    {
                        tar[order[next]] = GenuineAbove(tailKeys[i], cumulative) / ng;
                        next++;
                    }

                    if (next == order.Count) { break; }
                    need = budgets[order[next]];
                }

                for (; next < order.Count; next++)
                {
                    flags[order[next]] = 1;
                    tar[order[next]] = double.NaN;
                }
            }

            // EER: walk the distinct scores of both classes down from the top until FAR - FRR turns non-negative.
            double fa = 0, tp = 0, prevD = -1, prevFar = 0, prevFrr = 1;
            bool hasPrev = false;
            int ti = 0, gi = 0;
            while (true)
            {
                while (ti < tailKeys.Length && (long)w[tailIdentities[2 * ti]] * w[tailIdentities[2 * ti + 1]] == 0) { ti++; }
                while (gi < genuineKeys.Length && w[genuineIdentity[gi]] == 0) { gi++; }
                bool tailLeft = ti < tailKeys.Length;
                bool genuineLeft = gi < genuineKeys.Length;
                if (!tailLeft && !tailComplete)
                {
                    flags[targets.Length] = 1;
                    break;
                }

                if (!tailLeft && !genuineLeft) { break; }
                uint key = !tailLeft ? genuineKeys[gi] : !genuineLeft ? tailKeys[ti] : Math.Max(tailKeys[ti], genuineKeys[gi]);
                while (ti < tailKeys.Length && tailKeys[ti] == key) { fa += (double)w[tailIdentities[2 * ti]] * w[tailIdentities[2 * ti + 1]]; ti++; }
                while (gi < genuineKeys.Length && genuineKeys[gi] == key) { tp += w[genuineIdentity[gi]]; gi++; }
                double far = fa / ni, frr = (ng - tp) / ng, d = far - frr;
                if (d >= 0)
                {
                    eer = hasPrev && Math.Abs(prevD) < Math.Abs(d) ? (prevFar + prevFrr) / 2 : (far + frr) / 2;
                    break;
                }

                prevD = d;
                prevFar = far;
                prevFrr = frr;
                hasPrev = true;
            }

            return flags;
        }

        /// <summary>Weighted genuine pairs with key &gt; <paramref name="key"/> (keys descending, cumulative weights).</summary>
        private double GenuineAbove(uint key, double[] cumulative)
        {
            int lo = 0, hi = genuineKeys.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (genuineKeys[mid] > key) { lo = mid + 1; } else { hi = mid; }
            }

            return cumulative[lo];
        }
    }
}
