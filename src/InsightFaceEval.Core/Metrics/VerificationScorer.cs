using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Stage (b) of a 1:1 measurement, one model: every genuine pair's score (failed ones at -1, each with its identity,
    /// fold and images: what the bootstrap weighs per identity), the exact impostor histogram
    /// (<see cref="ImpostorAccumulator"/>, whose tail keeps the highest impostors with their pair ordinals, from which the
    /// bootstrap reads both identities through the design) and the failed impostor pairs per fold.
    /// A sharded run scores the genuine pairs once (their scores are the accumulator's anchors), scores each shard of
    /// the impostor pairs into an accumulator with the same anchors, folds and tail size, and combines the counts and
    /// tails before stage (c); a refinement pass then runs over every shard.
    /// </summary>
    public sealed class VerificationScores
    {
        internal VerificationScores(VerificationInput input, EmbeddingMatrix matrix, List<GenuineRecord> genuine, ImpostorAccumulator impostors, long[] failedImpostorsPerFold)
        {
            Input = input;
            Matrix = matrix;
            Genuine = genuine;
            Impostors = impostors;
            FailedImpostorsPerFold = failedImpostorsPerFold;
        }

        public VerificationInput Input { get; }

        /// <summary>The model's vectors, for refinement passes; null when the scores came with the pairs.</summary>
        internal EmbeddingMatrix Matrix { get; }

        /// <summary>Every genuine pair of the design, failed ones at -1.</summary>
        public List<GenuineRecord> Genuine { get; }

        public ImpostorAccumulator Impostors { get; }

        /// <summary>Impostor pairs with a failure to acquire on either side, per fold (scored -1 at system level).</summary>
        public long[] FailedImpostorsPerFold { get; }
    }

    /// <summary>
    /// Scores one model's pairs (stage b): genuine pairs exactly, impostor pairs streamed through the accumulator (first
    /// pass, with the buckets a sample predicts the order statistics in counted key by key), and on request a refinement
    /// pass that counts the buckets the results still need. Holds no per-model state: one scorer serves every model of a call.
    /// </summary>
    public sealed class VerificationScorer
    {
        /// <summary>With a bootstrap, sets of up to this many completed impostor pairs keep every one: about 4 MB, and at 1,000 replicates a few seconds more for the AUC walks.</summary>
        internal const long WholeTailLimit = 1 << 18;

        private readonly VerificationOptions options;
        private readonly MeasurementProgress progress;
        private readonly ICollection<string> notes;
        private readonly CancellationToken cancellationToken;

        /// <param name="notes">Where each pass's timing goes (verbose output).</param>
        public VerificationScorer(VerificationOptions options, MeasurementProgress progress, ICollection<string> notes, CancellationToken cancellationToken)
        {
            this.options = options ?? new VerificationOptions();
            this.progress = progress ?? new MeasurementProgress();
            this.notes = notes ?? new List<string>();
            this.cancellationToken = cancellationToken;
        }

        /// <param name="label">The model as progress names it ("arcface (1 of 2)").</param>
        public VerificationScores Score(VerificationInput input, string label)
        {
            var scores = Prepare(input, label, null, out var completedGenuine, out var completedImpostors, out var keep);
            var predicted = BucketPrediction.Predict(input.Design, scores.Matrix, completedGenuine, completedImpostors, keep, options.FarTargets, options.BootstrapSeed);
            ScoreImpostors(input.Design, scores.Matrix, scores.Impostors, false, predicted);
            return scores;
        }

        /// <summary>
        /// Shard k of the impostor pairs (and every genuine pair, whose scores are the anchors), with the buckets the
        /// whole pair space's order statistics may fall in counted key by key: the shard's part of the state.
        /// </summary>
        public Sharding.ModelShard ScoreShard(VerificationInput input, string label, Sharding.ShardSpec shard)
        {
            var design = input.Design;
            var scores = Prepare(input, label, null, out var completedGenuine, out var completedImpostors, out var keep);
            var records = scores.Genuine;
            var predicted = Sharding.ShardPrediction.Buckets(design, scores.Matrix, options, keep, completedGenuine,
                new GenuineView(records, options.Folds), new GenuineView(records.Where(r => r.Common), options.Folds),
                completedImpostors, scores.FailedImpostorsPerFold.Sum());
            var unitPairs = Sharding.ShardSpec.UnitPairs(design);
            design.ScoredUnits = shard.Units(unitPairs);
            try
            {
                ScoreImpostors(design, scores.Matrix, scores.Impostors, false, predicted);
            }
            finally
            {
                design.ScoredUnits = null;
            }

            var acc = scores.Impostors;
            return Sharding.ShardCapture.Capture(input.Model, input.Protocol, input.Dimension, design, records, acc, shard, (int)keep, shard.Units(unitPairs),
                acc.Partials == null ? unitPairs.Length : acc.Partials.Length / 4, progress.Pairs?.Done ?? 0);
        }

        /// <summary>The scores of every shard of one model put back together: what <see cref="Score"/> gives on all pairs.</summary>
        public VerificationScores FromShards(VerificationInput input, string label, IReadOnlyList<Sharding.ModelShard> shards)
        {
            var scores = Prepare(input, label, Sharding.ShardCapture.GenuineKeys(shards), out _, out _, out _);
            Sharding.ShardCapture.Restore(scores.Impostors, shards);
            return scores;
        }

        /// <summary>Genuine scores (from the vectors, or <paramref name="genuineKeys"/> in the design's order) and an empty accumulator anchored at them.</summary>
        private VerificationScores Prepare(VerificationInput input, string label, uint[] genuineKeys, out GenuineView completedGenuine, out long completedImpostors, out long keep)
        {
            var design = input.Design;
            int genuineIndex = 0;
            progress.Activity = $"{label}: scoring genuine pairs";
            progress.Pairs = null;
            EmbeddingMatrix matrix = null;
            if (!input.ScoresGiven && input.Dimension > 0 && genuineKeys == null)
            {
                matrix = EmbeddingMatrix.FromVectors(design.RowImage.Select(i => design.Images[i].Vector).ToList(), input.Dimension);
            }

            var records = new List<GenuineRecord>();
            design.ForEachGenuine((a, b, ordinal) =>
            {
                bool completed = design.PairCompleted(a, b, ordinal);
                records.Add(new GenuineRecord
                {
                    Key = genuineKeys != null ? genuineKeys[genuineIndex++] : completed ? ScoreKeys.Key(design.PairScore(matrix, a, b, ordinal)) : ScoreKeys.MinusOne,
                    Identity = design.Identity[a],
                    Fold = design.FoldOf(ordinal),
                    Ordinal = ordinal,
                    ImageA = a,
                    ImageB = b,
                    Common = completed && design.PairCommon(a, b, ordinal),
                    Failed = !completed,
                });
            });

            // The accumulator anchors every genuine score, histogram edge and the threshold, so counts there are exact.
            completedGenuine = new GenuineView(records.Where(r => !r.Failed), options.Folds);
            var anchors = new SortedSet<uint>(completedGenuine.Keys) { ScoreKeys.MinusOne };
            foreach (var edge in VerificationCalculator.HistogramEdges(options.HistogramBins)) { anchors.Add(ScoreKeys.CeilingKey(edge)); }
            if (options.Threshold.HasValue) { anchors.Add(ScoreKeys.CeilingKey(options.Threshold.Value)); }
            anchors.RemoveWhere(k => k >= ScoreKeys.AboveOne);

            completedImpostors = Math.Max(0, design.CompletedPairCount() - completedGenuine.Count);
            keep = TailKeep(completedImpostors);
            var acc = new ImpostorAccumulator(anchors.ToArray(), options.Folds, (int)keep);

            progress.Activity = $"{label}: scoring impostor pairs";
            return new VerificationScores(input, matrix, records, acc, design.FailedImpostorsPerFold());
        }

        /// <summary>How many of the highest impostor scores the accumulator keeps with their pairs.</summary>
        private long TailKeep(long completedImpostors)
        {
            long deepest = options.FarTargets.Length == 0 ? 0 : Statistics.Budget(options.FarTargets.Max(), completedImpostors);
            long keep = Math.Max(Math.Max(Math.Min(4096, options.MaxTailEntries), options.HardestPairs), (long)Math.Ceiling(1.25 * (deepest + 1)) + 1024);
            if (options.BootstrapSamples > 0 && completedImpostors <= WholeTailLimit)
            {
                // Every impostor kept: each replicate's AUC, and its system-level numbers down to the failures at -1,
                // are then exact. Larger sets keep only what the targets need (and get an AUC interval only when
                // the kept scores reach below the lowest genuine score).
                keep = Math.Max(keep, completedImpostors);
            }

            return Math.Min(options.MaxTailEntries, Math.Min(keep, Math.Max(16, completedImpostors)));
        }

        /// <summary>A pass over the impostor pairs that counts every key of the buckets the results still need (<see cref="ImpostorAccumulator.Needs"/>).</summary>
        public void Refine(VerificationScores scores, string label)
        {
            var acc = scores.Impostors;
            progress.Activity = $"{label}: counting {acc.Needs.Count} score bucket(s) exactly (pass {acc.Passes + 1})";
            notes.Add($"{scores.Input.Model}: pass {acc.Passes + 1} over the impostor pairs to count {acc.Needs.Count} score bucket(s) exactly (scores from {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Min())):G6} to {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Max()) + 0xFFFF):G6}).");
            ScoreImpostors(scores.Input.Design, scores.Matrix, acc, true);
        }

        private void ScoreImpostors(PairDesign design, EmbeddingMatrix matrix, ImpostorAccumulator acc, bool refine, IEnumerable<int> predicted = null)
        {
            bool given = design is PairListDesign list && list.HasGivenScores;
            int workers = given ? 1 : Math.Max(1, options.Workers);
            var sinks = acc.CreateSinks(workers, refine, predicted);
            var pairs = new ScoringProgress();
            progress.Pairs = pairs;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            design.ScoreImpostors(matrix, sinks, pairs, cancellationToken);
            acc.Merge(sinks);
            clock.Stop();
            long done = pairs.Done;
            string rate = given || matrix == null || clock.Elapsed.TotalSeconds <= 0 ? string.Empty
                : string.Format(CultureInfo.InvariantCulture, ", {0:F1} GFLOP/s", 2.0 * matrix.Dimension * done / clock.Elapsed.TotalSeconds / 1e9);
            notes.Add(string.Format(CultureInfo.InvariantCulture, "{0}: pass {1} scored {2:N0} pairs in {3:F2} s on {4} thread(s){5}.",
                design.Images.Count > 0 ? design.Images[0].Model : string.Empty, acc.Passes, done, clock.Elapsed.TotalSeconds, workers, rate));
        }
    }
}
