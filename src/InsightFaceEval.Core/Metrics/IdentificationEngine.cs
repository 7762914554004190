using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>What to measure in 1:N identification.</summary>
    public sealed class IdentificationOptions
    {
        public static readonly double[] DefaultFpirTargets = { 1e-1, 1e-2, 1e-3 };

        public double[] FpirTargets { get; set; } = DefaultFpirTargets;

        /// <summary>How model names compare (without case on Windows); models whose names differ only in case under it are refused.</summary>
        public StringComparer NameComparer { get; set; } = PathStyle.Current.Comparer;

        public int MaxRank { get; set; } = 20;

        public int Workers { get; set; } = Environment.ProcessorCount;

        /// <summary>Bootstrap replicates over the probes' identities (0: no intervals).</summary>
        public int BootstrapSamples { get; set; }

        public int BootstrapSeed { get; set; } = 1;

        public double ConfidenceLevel { get; set; } = 0.95;

        /// <summary>Memory for per-probe identity scores at once (bytes); probes are scored in blocks that fit.</summary>
        internal long BlockBudget { get; set; } = 64L << 20;
    }

    public sealed class IdentificationOutcome
    {
        public List<IdentificationResult> Results { get; } = new List<IdentificationResult>();

        /// <summary>Per-item and per-model problems, each for the cmdlet to write as an error record.</summary>
        public List<ModelProblem> Problems { get; } = new List<ModelProblem>();

        public List<string> Notes { get; } = new List<string>();
    }

    /// <summary>
    /// 1:N identification (metrics.md): every probe is scored against every gallery template with the blocked
    /// kernel; an identity's score is the max over its templates; the true identity's rank counts the other
    /// identities scoring at least as high (ties count against). Probes go in blocks so memory stays bounded.
    /// </summary>
    public sealed class IdentificationEngine
    {
        private readonly IdentificationOptions options;
        private readonly MeasurementProgress progress;
        private readonly CancellationToken cancellationToken;

        public IdentificationEngine(IdentificationOptions options, MeasurementProgress progress, CancellationToken cancellationToken)
        {
            this.options = options ?? new IdentificationOptions();
            this.progress = progress ?? new MeasurementProgress();
            this.cancellationToken = cancellationToken;
        }

        /// <summary>One probe's outcome: rank of its true identity (int.MaxValue when not enrolled or failed) and top-1 score.</summary>
        public struct ProbeOutcome
        {
            public bool Mated;
            public bool Failed;
            public int Rank;
            public float TopScore;

            /// <summary>Index of the probe's identity among the probes' identities (sorted by name): what the bootstrap draws.</summary>
            public int Identity;
        }

        public IdentificationOutcome Measure(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models)
        {
            var outcome = new IdentificationOutcome();
            var inputs = ModelInputs.Validate(models, options.NameComparer, false, outcome.Problems, cancellationToken);
            for (int m = 0; m < inputs.Count; m++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = inputs[m].Model;
                try
                {
                    var result = MeasureModel(inputs[m], outcome, inputs.Count > 1 ? $"{name} ({m + 1} of {inputs.Count})" : name);
                    if (result != null) { outcome.Results.Add(result); }
                }
                catch (UnmeasurableException ex)
                {
                    outcome.Problems.Add(ModelProblem.Unmeasurable(name, ex));
                }
            }

            return outcome;
        }

        private IdentificationResult MeasureModel(ModelInput input, IdentificationOutcome outcome, string label)
        {
            var model = input.Model;
            var images = input.Images;
            int dimension = input.Dimension;
            var roles = input.Split(out var identities, out var layout, outcome.Notes);
            int ignored = roles.Count(r => r == ImageRole.Ignored);

            // Gallery templates grouped by identity, so an identity's score is a max over a contiguous run of columns.
            var templates = Enumerable.Range(0, images.Count).Where(i => roles[i] == ImageRole.Gallery && images[i].Status == EmbeddingStatus.Success)
                .OrderBy(i => identities[i], StringComparer.Ordinal).ToList();
            int failedGallery = Enumerable.Range(0, images.Count).Count(i => roles[i] == ImageRole.Gallery && images[i].Status != EmbeddingStatus.Success);
            var enrolled = templates.Select(i => identities[i]).Distinct(StringComparer.Ordinal).ToList();
            var identityIndex = enrolled.Select((id, k) => new { id, k }).ToDictionary(x => x.id, x => x.k, StringComparer.Ordinal);
            var templateIdentity = templates.Select(i => identityIndex[identities[i]]).ToArray();
            var probes = Enumerable.Range(0, images.Count).Where(i => roles[i] == ImageRole.Probe || roles[i] == ImageRole.Unknown).ToList();
            if (templates.Count == 0) { throw new UnmeasurableException("No gallery template was embedded, so there is nothing to search.", "NoGallery"); }
            if (probes.Count == 0) { throw new UnmeasurableException("There are no probes (every image is a gallery image).", "NoProbes"); }
            if (enrolled.Count == 1)
            {
                // One enrolled identity ranks first in every search: Rank-1 would read 100% whatever the model.
                var used = Enumerable.Range(0, images.Count).Where(i => roles[i] != ImageRole.Ignored).ToList();
                var why = IdentityCheck.SingleIdentity(used.Select(i => images[i]).ToList(), used.Select(i => roles[i] == ImageRole.Unknown ? enrolled[0] : identities[i]).ToList());
                throw new UnmeasurableException($"The gallery holds one identity ('{enrolled[0]}'), so every search ranks it first and Rank-1 would read 100% whatever the model.{(why == null ? string.Empty : " " + why)}", "SingleIdentity");
            }

            var gallery = EmbeddingMatrix.FromVectors(templates.Select(i => images[i].Vector).ToList(), dimension);
            var outcomes = new ProbeOutcome[probes.Count];
            var completedProbes = new List<int>();
            var probeIdentities = probes.Select(p => identities[p]).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal)
                .Select((id, k) => new { id, k }).ToDictionary(x => x.id, x => x.k, StringComparer.Ordinal);
            for (int p = 0; p < probes.Count; p++)
            {
                var image = images[probes[p]];
                outcomes[p].Mated = roles[probes[p]] == ImageRole.Probe && identityIndex.ContainsKey(identities[probes[p]]);
                outcomes[p].Rank = int.MaxValue;
                outcomes[p].TopScore = -1f;
                outcomes[p].Identity = probeIdentities[identities[probes[p]]];
                if (image.Status == EmbeddingStatus.Success) { completedProbes.Add(p); }
                else { outcomes[p].Failed = true; }
            }

            if (!outcomes.Any(o => o.Mated))
            {
                throw new UnmeasurableException(
                    $"No probe is of an enrolled identity ({probes.Count} probe(s), none with a gallery template), so Rank-1, the CMC and TPIR are undefined. " +
                    "Put at least one photo of each enrolled person under probe/<identity>/ (or, without gallery/ and probe/ folders, two or more photos per identity).", "NoMatedProbes");
            }

            progress.Activity = $"{label}: searching {completedProbes.Count:N0} probes in {templates.Count:N0} gallery templates";
            progress.Pairs = new ScoringProgress { Total = (long)completedProbes.Count * templates.Count };
            int workers = Math.Max(1, options.Workers);
            int block = (int)Math.Max(64, Math.Min(completedProbes.Count, options.BlockBudget / (4L * enrolled.Count * (workers + 1))));
            for (int start = 0; start < completedProbes.Count; start += block)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(block, completedProbes.Count - start);
                var blockProbes = completedProbes.Skip(start).Take(count).ToList();
                var probeMatrix = EmbeddingMatrix.FromVectors(blockProbes.Select(p => images[probes[p]].Vector).ToList(), dimension);
                var sinks = Enumerable.Range(0, workers).Select(_ => new IdentitySink(count, enrolled.Count, templateIdentity)).ToList();
                var blockProgress = new ScoringProgress();
                SimilarityKernel.RunCross(probeMatrix, gallery, sinks, blockProgress, cancellationToken);
                progress.Pairs.Add(blockProgress.Done);
                var best = sinks[0].Best;
                for (int w = 1; w < sinks.Count; w++)
                {
                    var other = sinks[w].Best;
                    for (int i = 0; i < best.Length; i++) { if (other[i] > best[i]) { best[i] = other[i]; } }
                }

                for (int r = 0; r < count; r++)
                {
                    int p = blockProbes[r];
                    int offset = r * enrolled.Count;
                    float top = float.NegativeInfinity;
                    for (int k = 0; k < enrolled.Count; k++) { if (best[offset + k] > top) { top = best[offset + k]; } }
                    outcomes[p].TopScore = top;
                    if (!outcomes[p].Mated) { continue; }
                    float own = best[offset + identityIndex[identities[probes[p]]]];
                    int above = 0;
                    for (int k = 0; k < enrolled.Count; k++) { if (best[offset + k] >= own) { above++; } }
                    outcomes[p].Rank = above; // the own identity counts itself once: rank = 1 + others >= own
                }
            }

            var completed = Metrics(PairSet.Completed, outcomes.Where(o => !o.Failed).ToList(), enrolled.Count);
            var system = Metrics(PairSet.SystemLevel, outcomes.ToList(), enrolled.Count);
            if (options.BootstrapSamples > 0)
            {
                progress.Activity = $"{label}: bootstrap ({options.BootstrapSamples} replicates)";
                progress.Pairs = null;
                foreach (var (metrics, set) in new[] { (completed, outcomes.Where(o => !o.Failed).ToList()), (system, outcomes.ToList()) })
                {
                    var replicates = IdentificationBootstrap.Run(set, probeIdentities.Count, options.FpirTargets, options.BootstrapSamples, options.BootstrapSeed, options.Workers, cancellationToken);
                    IdentificationBootstrap.Attach(metrics, replicates, options.ConfidenceLevel);
                }
            }

            return new IdentificationResult(model, layout, dimension, images.Count - ignored,
                Enumerable.Range(0, images.Count).Count(i => roles[i] != ImageRole.Ignored && images[i].Status != EmbeddingStatus.Success),
                enrolled.Count, templates.Count, failedGallery, completed, system, options.FpirTargets, options.MaxRank,
                MetricDefinitions.Identification, ModuleInfo.Version, DateTimeOffset.UtcNow)
            {
                BootstrapSamples = options.BootstrapSamples,
                BootstrapSeed = options.BootstrapSeed,
            };
        }

        /// <summary>Rank-k, CMC and TPIR@FPIR from per-probe outcomes (failed probes: never identified, top score -1).</summary>
        public IdentificationMetrics Metrics(PairSet set, List<ProbeOutcome> probes, int galleryIdentities)
        {
            var mated = probes.Where(p => p.Mated).ToList();
            var nonMated = probes.Where(p => !p.Mated).ToList();
            int maxRank = Math.Min(options.MaxRank, galleryIdentities);
            var cmc = new CmcPoint[mated.Count == 0 ? 0 : maxRank];
            for (int k = 1; k <= cmc.Length; k++) { cmc[k - 1] = new CmcPoint(k, (double)mated.Count(p => p.Rank <= k) / mated.Count); }
            double? rank1 = mated.Count == 0 ? (double?)null : (double)mated.Count(p => p.Rank <= 1) / mated.Count;
            double? rank5 = mated.Count == 0 ? (double?)null : (double)mated.Count(p => p.Rank <= 5) / mated.Count;

            var tpir = new List<TpirAtFpir>();
            if (nonMated.Count > 0)
            {
                var sorted = nonMated.Select(p => ScoreKeys.Key(p.TopScore)).OrderByDescending(k => k).ToArray();
                foreach (var f in options.FpirTargets)
                {
                    long k = Statistics.Budget(f, sorted.Length);
                    double lowest = 1.0 / sorted.Length;
                    if (k <= 0)
                    {
                        tpir.Add(new TpirAtFpir(f, false, 0, lowest, null, null, null, null));
                        continue;
                    }

                    uint threshold = k >= sorted.Length ? ScoreKeys.MinusOne : sorted[k] + 1;
                    long falsePositives = sorted.Count(key => key >= threshold);
                    double? rate = mated.Count == 0 ? (double?)null : (double)mated.Count(p => p.Rank <= 1 && ScoreKeys.Key(p.TopScore) >= threshold) / mated.Count;
                    tpir.Add(new TpirAtFpir(f, true, k, lowest, rate, ScoreKeys.Value(threshold), (double)falsePositives / sorted.Length, falsePositives));
                }
            }

            return new IdentificationMetrics(set, mated.Count, nonMated.Count, mated.Count(p => p.Failed), nonMated.Count(p => p.Failed), rank1, rank5, cmc, tpir.ToArray());
        }

        /// <summary>One worker's per-probe identity maxima for a block of probes.</summary>
        private sealed class IdentitySink : IScoreSink
        {
            private readonly int identities;
            private readonly int[] templateIdentity;

            public IdentitySink(int probes, int identities, int[] templateIdentity)
            {
                this.identities = identities;
                this.templateIdentity = templateIdentity;
                Best = new float[(long)probes * identities];
                for (int i = 0; i < Best.Length; i++) { Best[i] = float.NegativeInfinity; }
            }

            public float[] Best { get; }

            public void Tile(in ScoreTile tile, float[] scores)
            {
                for (int i = 0; i < tile.RowCount; i++)
                {
                    int offset = (tile.RowStart + i) * identities;
                    int row = i * tile.ColumnCount;
                    for (int j = 0; j < tile.ColumnCount; j++)
                    {
                        int slot = offset + templateIdentity[tile.ColumnStart + j];
                        float s = scores[row + j];
                        if (s > Best[slot]) { Best[slot] = s; }
                    }
                }
            }

            public void Pairs(int chunkIndex, int start, int count, float[] scores) => throw new NotSupportedException();
        }
    }
}
