using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>Thrown when the data cannot be measured (no genuine pairs, a single identity); the message says why.</summary>
    public sealed class UnmeasurableException : Exception
    {
        public UnmeasurableException(string reason, string problem)
            : base(reason)
        {
            Problem = problem;
        }

        /// <summary>Short name of the problem for an ErrorId suffix ("NoGenuinePairs").</summary>
        public string Problem { get; }
    }

    /// <summary>What the caller wants measured.</summary>
    public sealed class VerificationOptions
    {
        public static readonly double[] DefaultFarTargets = { 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6 };

        public double[] FarTargets { get; set; } = DefaultFarTargets;

        public double? Threshold { get; set; }

        /// <summary>The FAR a model comparison decides at; null: the strictest every model supports (metrics.md, "Choosing a model").</summary>
        public double? OperatingFar { get; set; }

        public int Folds { get; set; } = 10;

        public int BootstrapSamples { get; set; }

        public int BootstrapSeed { get; set; } = 1;

        public int HardestPairs { get; set; } = 10;

        /// <summary>
        /// How model names and pair-list keys compare: without case on Windows (the file system's rule), else with case.
        /// Models whose names differ only in case under it are refused.
        /// </summary>
        public StringComparer NameComparer { get; set; } = PathStyle.Current.Comparer;

        /// <summary>Worker threads for scoring (default: every core).</summary>
        public int Workers { get; set; } = Environment.ProcessorCount;

        /// <summary>Histogram bins over [-1, 1].</summary>
        public int HistogramBins { get; set; } = 100;

        public double ConfidenceLevel { get; set; } = 0.95;

        /// <summary>Upper bound on the impostor tail kept in memory (tests lower it to force refinement passes).</summary>
        internal int MaxTailEntries { get; set; } = 1 << 23;

        /// <summary>A copy whose changes leave this one as it is (the target arrays are copied too).</summary>
        public VerificationOptions Copy()
        {
            var copy = (VerificationOptions)MemberwiseClone();
            copy.FarTargets = FarTargets?.ToArray();
            return copy;
        }
    }

    /// <summary>Bootstrap intervals to attach to a metric set.</summary>
    public sealed class BootstrapIntervals
    {
        public double?[] TarLower { get; set; }

        public double?[] TarUpper { get; set; }

        public double? EerLower { get; set; }

        public double? EerUpper { get; set; }

        public double? AucLower { get; set; }

        public double? AucUpper { get; set; }
    }

    /// <summary>
    /// Every 1:1 metric of metrics.md from a genuine view and an impostor view, exactly. Each function is named
    /// after the quantity it computes and follows the definition literally (inclusive thresholds, ties).
    /// </summary>
    public static class VerificationCalculator
    {
        /// <summary>Histogram edges as the anchors need them: -1 .. 1 in <paramref name="bins"/> steps.</summary>
        public static double[] HistogramEdges(int bins)
        {
            var edges = new double[bins + 1];
            for (int i = 0; i <= bins; i++) { edges[i] = Math.Round(-1 + 2.0 * i / bins, 12); }
            return edges;
        }

        /// <summary>
        /// The metrics, or null when the impostor view needed buckets it has not resolved (they are now in the
        /// accumulator's Needs: run a refinement pass and call again).
        /// </summary>
        public static VerificationMetrics Compute(
            PairSet pairSet,
            GenuineView genuine,
            ImpostorView impostor,
            int identities,
            long failedGenuine,
            long failedImpostor,
            VerificationOptions options,
            BootstrapIntervals intervals,
            HashSet<int> needs)
        {
            long ng = genuine.Count;
            long ni = impostor.Count;
            if (ng == 0) { throw new UnmeasurableException("There are no genuine pairs (no identity has two images in this pair set), so TAR, FRR and EER are undefined.", "NoGenuinePairs"); }
            if (ni == 0) { throw new UnmeasurableException("There are no impostor pairs (a single identity), so FAR is undefined.", "NoImpostorPairs"); }
            int needsBefore = needs.Count;

            var tarAtFar = new TarAtFar[options.FarTargets.Length];
            for (int i = 0; i < tarAtFar.Length; i++)
            {
                tarAtFar[i] = TarAtFarTarget(genuine, impostor, options.FarTargets[i], intervals?.TarLower?[i], intervals?.TarUpper?[i]);
            }

            var eer = EqualErrorRate(genuine, impostor, out var eerThreshold);
            if (needs.Count > needsBefore || tarAtFar.Any(t => t == null) || eer == null) { return null; }

            double auc = AreaUnderCurve(genuine, impostor);
            double bestAccuracy = BestAccuracy(genuine, impostor, out var bestThreshold);
            KFoldAccuracy(genuine, impostor, options.Folds, out var kMean, out var kStd);
            double balanced = BalancedAccuracy(genuine, impostor, out var balancedThreshold);
            KFoldBalancedAccuracy(genuine, impostor, options.Folds, out var kbMean, out var kbStd);
            var roc = RocPoints(genuine, impostor);
            var histogram = Histogram(genuine, impostor, options.HistogramBins);
            var atThreshold = options.Threshold.HasValue ? AtThreshold(genuine, impostor, options.Threshold.Value, options.ConfidenceLevel) : null;
            if (needs.Count > needsBefore) { return null; }

            var g = Summary(genuine.Count, genuine.Sum, genuine.SumOfSquares, genuine.Count > 0 ? ScoreKeys.Value(genuine.Keys[0]) : 0, genuine.Count > 0 ? ScoreKeys.Value(genuine.Keys[genuine.Keys.Length - 1]) : 0);
            var im = Summary(impostor.Count, impostor.Sum, impostor.SumOfSquares, impostor.Minimum, impostor.Maximum);
            double? dPrime = null;
            double pooled = ((g.StandardDeviation ?? 0) * (g.StandardDeviation ?? 0) + (im.StandardDeviation ?? 0) * (im.StandardDeviation ?? 0)) / 2;
            if (pooled > 0) { dPrime = (g.Mean.Value - im.Mean.Value) / Math.Sqrt(pooled); }

            return new VerificationMetrics(
                pairSet, ng, ni, failedGenuine, failedImpostor, identities, tarAtFar,
                eer.Value, eerThreshold, intervals?.EerLower, intervals?.EerUpper,
                auc, intervals?.AucLower, intervals?.AucUpper, bestAccuracy, bestThreshold, options.Folds, kMean, kStd, dPrime, g, im, histogram, roc, atThreshold,
                balanced, balancedThreshold, kbMean, kbStd);
        }

        /// <summary>
        /// TAR@FAR=f: budget k = floor(f * N_I); k = 0 is insufficient. Otherwise the threshold is the next key above
        /// the (k+1)-th highest impostor score: the lowest threshold with at most k false accepts. Null when unresolved.
        /// </summary>
        public static TarAtFar TarAtFarTarget(GenuineView genuine, ImpostorView impostor, double target, double? lower, double? upper)
        {
            long ni = impostor.Count;
            long k = Statistics.Budget(target, ni);
            double lowest = 1.0 / ni;
            if (k <= 0) { return new TarAtFar(target, false, 0, lowest, null, null, null, null, null, null, null); }
            if (k >= ni)
            {
                // Every impostor may be accepted: the lowest threshold is -1 and accepts everything.
                return new TarAtFar(target, true, k, lowest, 1.0, -1.0, 1.0, ni, genuine.Count, lower, upper);
            }

            var s = impostor.KeyAtRank(k + 1);
            if (s == null) { return null; }
            uint threshold = s.Value + 1;
            var falseAccepts = impostor.CountAtLeast(threshold);
            if (falseAccepts == null) { return null; }
            long trueAccepts = genuine.CountAtLeast(threshold);
            return new TarAtFar(target, true, k, lowest, (double)trueAccepts / genuine.Count, ScoreKeys.Value(threshold),
                (double)falseAccepts.Value / ni, falseAccepts.Value, trueAccepts, lower, upper);
        }

        /// <summary>
        /// EER over candidate thresholds (every distinct score). D(t) = FAR - FRR falls strictly from one candidate to
        /// the next, so the minimum of |D| is at the last candidate with D &gt;= 0 or the one after it; ties take the lower.
        /// Null when unresolved.
        /// </summary>
        public static double? EqualErrorRate(GenuineView genuine, ImpostorView impostor, out double threshold)
        {
            threshold = 0;
            long ng = genuine.Count, ni = impostor.Count;
            var distinct = genuine.Distinct().Select(kv => kv.Key).ToArray();

            // Largest j with D(g_j) >= 0, i.e. FA * NG >= FR * NI.
            int lo = -1, hi = distinct.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) / 2;
                if (Sign(impostor.AtLeastAnchor(impostor.AnchorIndex(distinct[mid])), genuine.CountBelow(distinct[mid]), ng, ni) >= 0) { lo = mid; } else { hi = mid - 1; }
            }

            int j = lo;
            long frInGap = j >= 0 ? genuine.CountBelow(distinct[j]) + genuine.CountEqual(distinct[j]) : 0;
            long faUpper = j + 1 < distinct.Length ? impostor.AtLeastAnchor(impostor.AnchorIndex(distinct[j + 1])) : 0;

            // Largest impostor score inside the gap with D >= 0: rank max(ceil(FR * NI / NG), FA(upper) + 1).
            long needed = (long)Math.Ceiling((decimal)frInGap * ni / ng);
            long rank = Math.Max(needed, faUpper + 1);
            uint? candidateA = null;
            if (rank <= ni)
            {
                var s = impostor.KeyAtRank(rank);
                if (s == null) { return null; }
                if (j < 0 || s.Value > distinct[j]) { candidateA = s.Value; }
            }

            if (candidateA == null)
            {
                if (j < 0) { throw new InvalidOperationException("The lowest score must have FAR >= FRR."); }
                candidateA = distinct[j];
            }

            uint a = candidateA.Value;
            if (!impostor.TryNextKeyAbove(a, out var nextImpostor)) { return null; }
            uint? nextGenuine = null;
            int gi = GenuineView.LowerBound(genuine.Keys, (ulong)a + 1);
            if (gi < genuine.Keys.Length) { nextGenuine = genuine.Keys[gi]; }
            uint? b = nextImpostor.HasValue && nextGenuine.HasValue ? Math.Min(nextImpostor.Value, nextGenuine.Value) : nextImpostor ?? nextGenuine;

            var faA = impostor.CountAtLeast(a);
            if (faA == null) { return null; }
            long frA = genuine.CountBelow(a);
            decimal dA = Diff(faA.Value, frA, ng, ni);
            uint chosen = a;
            long chosenFa = faA.Value, chosenFr = frA;
            if (b.HasValue)
            {
                var faB = impostor.CountAtLeast(b.Value);
                if (faB == null) { return null; }
                long frB = genuine.CountBelow(b.Value);
                if (Math.Abs(Diff(faB.Value, frB, ng, ni)) < Math.Abs(dA))
                {
                    chosen = b.Value;
                    chosenFa = faB.Value;
                    chosenFr = frB;
                }
            }

            threshold = ScoreKeys.Value(chosen);
            return ((double)chosenFa / ni + (double)chosenFr / ng) / 2;
        }

        /// <summary>FA/NI - FR/NG scaled by NI*NG, exactly.</summary>
        private static decimal Diff(long fa, long fr, long ng, long ni) => (decimal)fa * ng - (decimal)fr * ni;

        private static int Sign(long fa, long fr, long ng, long ni) => Diff(fa, fr, ng, ni).CompareTo(0m);

        /// <summary>AUC = P(G &gt; I) + P(G = I) / 2, summed exactly over the distinct genuine scores.</summary>
        public static double AreaUnderCurve(GenuineView genuine, ImpostorView impostor)
        {
            decimal twice = 0;
            long ni = impostor.Count;
            foreach (var kv in genuine.Distinct())
            {
                int p = impostor.AnchorIndex(kv.Key);
                long below = ni - impostor.AtLeastAnchor(p);
                long equal = impostor.EqualAnchor(p);
                twice += kv.Value * (2m * below + equal);
            }

            return (double)(twice / (2m * genuine.Count * ni));
        }

        /// <summary>
        /// Max over all thresholds of (TP + TN) / N. Between two genuine scores the accuracy can only rise toward the
        /// upper one, so the candidates are the distinct genuine scores plus "reject all" (above 1); ties take the lowest.
        /// </summary>
        public static double BestAccuracy(GenuineView genuine, ImpostorView impostor, out double threshold)
        {
            long ni = impostor.Count;
            long best = ni;
            uint bestKey = ScoreKeys.AboveOne;
            bool genuineCandidate = false;
            foreach (var kv in genuine.Distinct())
            {
                long correct = genuine.CountAtLeast(kv.Key) + ni - impostor.AtLeastAnchor(impostor.AnchorIndex(kv.Key));

                // Ascending order: the first genuine candidate to reach the maximum is the lowest, and any beats "reject all" on a tie.
                if (correct > best || (correct == best && !genuineCandidate))
                {
                    best = correct;
                    bestKey = kv.Key;
                    genuineCandidate = true;
                }
            }

            threshold = ScoreKeys.Value(bestKey);
            return (double)best / (genuine.Count + ni);
        }

        /// <summary>
        /// k-fold accuracy: fold f is scored at the best-accuracy threshold of the other folds (candidates: their
        /// distinct genuine scores and "reject all"). Mean and population standard deviation over folds with pairs.
        /// </summary>
        public static void KFoldAccuracy(GenuineView genuine, ImpostorView impostor, int folds, out double? mean, out double? standardDeviation) =>
            KFold(genuine, impostor, folds, requireBothKinds: false,
                trainValue: (genuineAtLeast, impostorBelow, trainGenuine, trainImpostor) => genuineAtLeast + impostorBelow,
                rejectAllTrainValue: (trainGenuine, trainImpostor) => trainImpostor,
                testValue: (genuineAtLeast, impostorBelow, testGenuine, testImpostor) => (double)(genuineAtLeast + impostorBelow) / (testGenuine + testImpostor),
                out mean, out standardDeviation);

        /// <summary>
        /// Best balanced accuracy: max over thresholds of (TAR + TRR) / 2. As with the best accuracy, between two genuine
        /// scores only the TRR can rise toward the upper one, so the candidates are the distinct genuine scores and
        /// "reject all" (0.5); ties take the lowest.
        /// </summary>
        public static double BalancedAccuracy(GenuineView genuine, ImpostorView impostor, out double threshold)
        {
            long ng = genuine.Count, ni = impostor.Count;
            double best = 0.5;
            uint bestKey = ScoreKeys.AboveOne;
            bool genuineCandidate = false;
            foreach (var kv in genuine.Distinct())
            {
                double tar = (double)genuine.CountAtLeast(kv.Key) / ng;
                double trr = (double)(ni - impostor.AtLeastAnchor(impostor.AnchorIndex(kv.Key))) / ni;
                double value = (tar + trr) / 2;
                if (value > best || (value == best && !genuineCandidate))
                {
                    best = value;
                    bestKey = kv.Key;
                    genuineCandidate = true;
                }
            }

            threshold = ScoreKeys.Value(bestKey);
            return best;
        }

        /// <summary>
        /// k-fold balanced accuracy: fold f is scored, as (TAR + TRR) / 2 on its own pairs, at the best balanced-accuracy
        /// threshold of the other folds. Folds without genuine or impostor pairs are left out; mean and population
        /// standard deviation over the rest.
        /// </summary>
        public static void KFoldBalancedAccuracy(GenuineView genuine, ImpostorView impostor, int folds, out double? mean, out double? standardDeviation) =>
            KFold(genuine, impostor, folds, requireBothKinds: true,
                trainValue: (genuineAtLeast, impostorBelow, trainGenuine, trainImpostor) => ((double)genuineAtLeast / trainGenuine + (double)impostorBelow / trainImpostor) / 2,
                rejectAllTrainValue: (trainGenuine, trainImpostor) => 0.5,
                testValue: (genuineAtLeast, impostorBelow, testGenuine, testImpostor) => ((double)genuineAtLeast / testGenuine + (double)impostorBelow / testImpostor) / 2,
                out mean, out standardDeviation);

        /// <summary>
        /// The k-fold rule both accuracies share: for each fold, the threshold that maximises
        /// <paramref name="trainValue"/> on the other folds (candidates: their distinct genuine scores, and "reject all"
        /// worth <paramref name="rejectAllTrainValue"/>; ties keep "reject all", then the lowest score), then
        /// <paramref name="testValue"/> of the fold's own pairs at it. Folds without pairs (or, with
        /// <paramref name="requireBothKinds"/>, without either kind in training or test) are left out; mean and
        /// population standard deviation over the rest, when at least two folds count.
        /// </summary>
        private static void KFold(
            GenuineView genuine, ImpostorView impostor, int folds, bool requireBothKinds,
            Func<long, long, long, long, double> trainValue, Func<long, long, double> rejectAllTrainValue,
            Func<long, long, long, long, double> testValue, out double? mean, out double? standardDeviation)
        {
            mean = null;
            standardDeviation = null;
            long ng = genuine.Count, ni = impostor.Count;
            var distinct = genuine.Distinct().ToArray();
            var anchorOf = distinct.Select(kv => impostor.AnchorIndex(kv.Key)).ToArray();
            var values = new List<double>();
            for (int f = 0; f < folds; f++)
            {
                long testGenuine = genuine.FoldKeys[f].Length;
                long testImpostor = impostor.FoldCount[f];
                long trainGenuine = ng - testGenuine, trainImpostor = ni - testImpostor;
                if (testGenuine + testImpostor == 0) { continue; }
                if (requireBothKinds && (testGenuine == 0 || testImpostor == 0 || trainGenuine == 0 || trainImpostor == 0)) { continue; }
                double best = rejectAllTrainValue(trainGenuine, trainImpostor);
                int bestIndex = -1;
                for (int i = 0; i < distinct.Length; i++)
                {
                    uint key = distinct[i].Key;
                    if (distinct[i].Value - genuine.FoldCountEqual(f, key) == 0) { continue; }
                    long trainGenuineAtLeast = genuine.CountAtLeast(key) - genuine.FoldCountAtLeast(f, key);
                    long trainImpostorBelow = trainImpostor - (impostor.AtLeastAnchor(anchorOf[i]) - impostor.AtLeastAnchor(anchorOf[i], f));
                    double value = trainValue(trainGenuineAtLeast, trainImpostorBelow, trainGenuine, trainImpostor);
                    if (value > best || (value == best && bestIndex < 0))
                    {
                        best = value;
                        bestIndex = i;
                    }
                }

                long testGenuineAtLeast = bestIndex < 0 ? 0 : genuine.FoldCountAtLeast(f, distinct[bestIndex].Key);
                long testImpostorBelow = bestIndex < 0 ? testImpostor : testImpostor - impostor.AtLeastAnchor(anchorOf[bestIndex], f);
                values.Add(testValue(testGenuineAtLeast, testImpostorBelow, testGenuine, testImpostor));
            }

            if (values.Count < 2) { return; }
            double m = values.Average();
            mean = m;
            standardDeviation = Math.Sqrt(values.Sum(a => (a - m) * (a - m)) / values.Count);
        }

        /// <summary>Exact ROC points at every anchor and bucket boundary, thinned to what a plot can show, FAR ascending.</summary>
        public static RocPoint[] RocPoints(GenuineView genuine, ImpostorView impostor)
        {
            long ng = genuine.Count, ni = impostor.Count;
            var thresholds = new SortedSet<uint>(impostor.Anchors);
            foreach (var kv in impostor.BucketBoundaries()) { thresholds.Add(kv.Key); }
            thresholds.Add(ScoreKeys.AboveOne);
            var points = new List<RocPoint>();
            double lastX = double.NaN, lastTar = double.NaN;
            RocPoint pending = null;
            foreach (var t in thresholds.Reverse())
            {
                var fa = impostor.CountAtLeast(t);
                if (fa == null) { continue; }
                double far = (double)fa.Value / ni;
                double tar = (double)genuine.CountAtLeast(t) / ng;
                var point = new RocPoint(t >= ScoreKeys.AboveOne ? ScoreKeys.Value(ScoreKeys.AboveOne) : ScoreKeys.Value(t), far, tar);
                double x = Math.Log10(Math.Max(far, 0.5 / ni));
                if (points.Count == 0 || Math.Abs(x - lastX) >= 0.02 || Math.Abs(tar - lastTar) >= 0.002)
                {
                    // Keep the last point of a run too: it is the corner a staircase plot needs.
                    if (pending != null && !ReferenceEquals(pending, points[points.Count - 1])) { points.Add(pending); }
                    points.Add(point);
                    lastX = x;
                    lastTar = tar;
                }

                pending = point;
            }

            if (pending != null && !ReferenceEquals(pending, points[points.Count - 1])) { points.Add(pending); }
            return points.ToArray();
        }

        public static ScoreHistogram Histogram(GenuineView genuine, ImpostorView impostor, int bins)
        {
            var edges = HistogramEdges(bins);
            var g = new long[bins];
            var im = new long[bins];
            for (int i = 0; i < bins; i++)
            {
                uint lo = ScoreKeys.CeilingKey(edges[i]);
                uint hi = i == bins - 1 ? ScoreKeys.AboveOne : ScoreKeys.CeilingKey(edges[i + 1]);
                g[i] = genuine.CountAtLeast(lo) - genuine.CountAtLeast(hi);
                im[i] = (impostor.CountAtLeast(lo) ?? 0) - (impostor.CountAtLeast(hi) ?? 0);
            }

            return new ScoreHistogram(edges, g, im);
        }

        /// <summary>TP, FA and their Clopper-Pearson intervals at a fixed threshold (accept when score &gt;= t).</summary>
        public static ThresholdOutcome AtThreshold(GenuineView genuine, ImpostorView impostor, double threshold, double confidence)
        {
            uint key = ScoreKeys.CeilingKey(threshold);
            long tp = genuine.CountAtLeast(key);
            long fa = impostor.CountAtLeast(key) ?? 0;
            long ng = genuine.Count, ni = impostor.Count;
            Statistics.ClopperPearson(tp, ng, confidence, out var tl, out var tu);
            Statistics.ClopperPearson(fa, ni, confidence, out var fl, out var fu);
            return new ThresholdOutcome(threshold, tp, ng - tp, fa, ni - fa, (double)tp / ng, tl, tu, (double)fa / ni, fl, fu);
        }

        internal static ScoreSummary Summary(long count, double sum, double squares, double min, double max)
        {
            if (count == 0) { return new ScoreSummary(0, null, null, null, null); }
            double mean = sum / count;
            double variance = Math.Max(0, squares / count - mean * mean);
            return new ScoreSummary(count, mean, Math.Sqrt(variance), min, max);
        }
    }
}
