using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    /// <summary>What the evaluator adds to a report beyond the measured results.</summary>
    public sealed class ReportOptions
    {
        public string Title { get; set; }

        /// <summary>Free-text notes (how pairs were made, caveats), printed in the summary.</summary>
        public IList<string> Notes { get; } = new List<string>();

        /// <summary>Crop settings, dataset name and the like, in order.</summary>
        public IList<KeyValuePair<string, string>> Settings { get; } = new List<KeyValuePair<string, string>>();

        public IList<string> EndpointFingerprints { get; } = new List<string>();

        public DateTimeOffset? FirstExtraction { get; set; }

        public DateTimeOffset? LastExtraction { get; set; }

        /// <summary>Hardest pairs kept per model and kind (the results may carry more).</summary>
        public int HardestPairs { get; set; } = 8;

        public DateTimeOffset? GeneratedAt { get; set; }
    }

    /// <summary>Turns the measured result objects into the report model the renderers read.</summary>
    public static class ReportBuilder
    {
        public static EvaluationReport Build(
            IEnumerable<VerificationResult> verification,
            IEnumerable<IdentificationResult> identification,
            IEnumerable<ModelComparison> comparisons,
            ReportOptions options)
        {
            options = options ?? new ReportOptions();
            var results = (verification ?? Enumerable.Empty<VerificationResult>()).Where(r => r != null).ToList();
            var ident = (identification ?? Enumerable.Empty<IdentificationResult>()).Where(r => r != null).ToList();
            var comps = (comparisons ?? Enumerable.Empty<ModelComparison>()).Where(c => c != null).ToList();
            if (results.Count + ident.Count == 0)
            {
                throw new ArgumentException("A report needs at least one verification or identification result.");
            }

            var models = results.Select(r => Model(r, options.HardestPairs)).ToList();
            var settings = new List<KeyValuePair<string, string>>(options.Settings);
            var protocols = results.Select(r => r.Protocol).Concat(ident.Select(i => i.Layout)).Where(p => !string.IsNullOrEmpty(p)).Distinct().ToList();
            var measured = results.Select(r => r.MeasuredAt).Concat(ident.Select(i => i.MeasuredAt)).Where(d => d != default(DateTimeOffset)).ToList();
            if (measured.Count > 0) { settings.Add(new KeyValuePair<string, string>("Metrics measured", ReportText.Date(measured.Max()))); }
            var versions = results.Select(r => r.ModuleVersion).Concat(ident.Select(i => i.ModuleVersion)).Where(v => !string.IsNullOrEmpty(v) && v != ModuleInfo.Version).Distinct().ToList();
            if (versions.Count > 0) { settings.Add(new KeyValuePair<string, string>("Metrics measured by version", string.Join(", ", versions))); }
            var bootstrap = results.Where(r => r.BootstrapSamples > 0).Select(r => $"{r.BootstrapSamples} replicates, seed {r.BootstrapSeed}").Distinct().ToList();
            settings.Add(new KeyValuePair<string, string>("Bootstrap over identities", bootstrap.Count == 0 ? "not run (no intervals)" : string.Join("; ", bootstrap)));
            var folds = results.Select(r => r.Folds).Where(f => f > 0).Distinct().ToList();
            if (folds.Count > 0) { settings.Add(new KeyValuePair<string, string>("k-fold accuracy folds", string.Join(", ", folds))); }

            // Pair counts of the whole protocol: the system-level set holds every pair, failed ones included.
            var first = results.FirstOrDefault();
            var all = first?.SystemLevel ?? first?.Completed;
            var dataset = new DatasetSummary(
                protocols.Count == 0 ? null : string.Join(", ", protocols),
                results.Select(r => (int?)r.IdentityCount).Where(n => n > 0).DefaultIfEmpty(null).Max(),
                results.Select(r => (int?)r.ImageCount).Concat(ident.Select(i => (int?)i.ImageCount)).Where(n => n > 0).DefaultIfEmpty(null).Max(),
                all?.GenuinePairs,
                all?.ImpostorPairs);

            ReportRecommendation recommendation = null;
            if (comps.Count > 0)
            {
                var names = results.Select(r => r.Model).Where(n => comps.Any(c => c.ReferenceModel == n || c.DifferenceModel == n)).ToList();
                var text = InsightFaceEval.Metrics.ModelVerdict.Overall(names, comps, out var recommended);
                if (text != null)
                {
                    recommendation = new ReportRecommendation(recommended, text, comps.Select(c => c.OperatingFar).FirstOrDefault(f => f.HasValue),
                        InsightFaceEval.Metrics.MetricDefinitions.Recommendation);
                }
            }

            return new EvaluationReport(
                options.Title,
                options.GeneratedAt ?? DateTimeOffset.UtcNow,
                new ReportProvenance(ModuleInfo.Version, options.EndpointFingerprints, options.FirstExtraction, options.LastExtraction, settings),
                dataset,
                models,
                comps.Select(Comparison),
                ident.Select(Identification),
                options.Notes,
                recommendation);
        }

        /// <summary>One model's section of a report, from its verification result.</summary>
        public static ModelReport Model(VerificationResult r, int hardest)
        {
            var c = r.Completed ?? throw new ArgumentException($"The result of model '{r.Model}' has no metrics on completed pairs.");
            return new ModelReport(
                r.Model,
                r.Dimension > 0 ? r.Dimension : (int?)null,
                r.ImageCount > 0 ? r.ImageCount : (int?)null,
                r.ImageCount > 0 ? r.FailedImageCount : (int?)null,
                r.ImageCount > 0 ? r.FailureToAcquireRate : (double?)null,
                Metrics(c),
                Metrics(r.SystemLevel),
                Metrics(r.CommonCompleted),
                c.Genuine,
                c.Impostor,
                c.Roc,
                c.Histogram != null && c.Histogram.Genuine.Length > 0 ? new ReportHistogram(c.Histogram.BinEdges, c.Histogram.Genuine, c.Histogram.Impostor) : null,
                r.HardestGenuinePairs.Take(hardest).Select(Pair),
                r.HardestImpostorPairs.Take(hardest).Select(Pair),
                r.SystemLevel?.Roc);
        }

        private static MetricSet Metrics(VerificationMetrics m)
        {
            if (m == null) { return null; }
            var at = m.AtThreshold;
            return new MetricSet(
                m.GenuinePairs,
                m.ImpostorPairs,
                m.TarAtFar,
                m.Eer,
                m.EerThreshold,
                m.Auc,
                m.BestAccuracy,
                m.BestAccuracyThreshold,
                m.KFoldAccuracyMean,
                m.KFoldAccuracyStandardDeviation,
                m.DPrime,
                m.FailedGenuinePairs,
                m.FailedImpostorPairs,
                m.EerLower,
                m.EerUpper,
                at == null ? null : new ReportThresholdOutcome(at.Threshold, at.Tar, at.TarLower, at.TarUpper, at.Far, at.FarLower, at.FarUpper),
                m.BalancedAccuracy,
                m.BalancedAccuracyThreshold,
                m.KFoldBalancedAccuracyMean,
                m.KFoldBalancedAccuracyStandardDeviation);
        }

        private static HardPair Pair(ScoredPair p) =>
            new HardPair(p.IsGenuine, p.ReferenceRelativePath ?? System.IO.Path.GetFileName(p.ReferencePath), p.DifferenceRelativePath ?? System.IO.Path.GetFileName(p.DifferencePath),
                p.ReferenceIdentity, p.DifferenceIdentity, p.Similarity, p.ReferencePath, p.DifferencePath);

        private static ComparisonReport Comparison(ModelComparison c) =>
            new ComparisonReport(
                c.ReferenceModel, c.DifferenceModel, c.GenuinePairs, c.ImpostorPairs, c.Identities,
                c.ReferenceFailureToAcquireRate, c.DifferenceFailureToAcquireRate, c.BootstrapSamples, c.BootstrapSeed, c.BetterModel, c.Verdict,
                c.Differences, c.OperatingFar, c.Recommendation, c.DecidedBy, c.Views, c.FailureToAcquire, c.Disagreement);

        private static IdentificationReport Identification(IdentificationResult i)
        {
            var m = i.Completed;
            return new IdentificationReport(
                i.Model,
                m?.MatedProbes ?? 0,
                m?.NonMatedProbes ?? 0,
                i.GalleryIdentities,
                m == null ? null : m.Cmc.OrderBy(p => p.Rank).Select(p => p.IdentificationRate),
                m?.TpirAtFpir,
                i.ImageCount > 0 ? i.FailureToAcquireRate : (double?)null);
        }
    }
}

namespace InsightFaceEval.Reporting
{
    /// <summary>Reads a report's provenance from the embedding store the results came from.</summary>
    public static class StoreProvenance
    {
        /// <summary>
        /// Adds the endpoint fingerprints and the extraction time span recorded in <paramref name="storeRoot"/> for the
        /// given models (as the server named them, or as they were requested) to <paramref name="options"/>.
        /// Returns how many index records were used.
        /// </summary>
        public static int AddTo(ReportOptions options, string storeRoot, IEnumerable<string> models)
        {
            var names = new HashSet<string>(models ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
            var store = InsightFaceEval.Embedding.EmbeddingStore.Open(storeRoot);
            var used = 0;
            foreach (var model in store.ExistingModels())
            {
                foreach (var record in model.ReadIndex(out _))
                {
                    if (names.Count > 0 && !names.Contains(record.Model ?? string.Empty) && !names.Contains(record.RequestedModel ?? string.Empty)) { continue; }
                    used++;
                    if (!string.IsNullOrEmpty(record.EndpointFingerprint) && !options.EndpointFingerprints.Contains(record.EndpointFingerprint))
                    {
                        options.EndpointFingerprints.Add(record.EndpointFingerprint);
                    }

                    if (!options.FirstExtraction.HasValue || record.Time < options.FirstExtraction.Value) { options.FirstExtraction = record.Time; }
                    if (!options.LastExtraction.HasValue || record.Time > options.LastExtraction.Value) { options.LastExtraction = record.Time; }
                }
            }

            return used;
        }
    }
}
