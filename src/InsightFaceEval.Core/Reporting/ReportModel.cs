using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    // The report's content, independent of how it is rendered. Every renderer (HTML, Markdown, JSON)
    // reads this model only, so the three formats can never disagree. The JSON schema
    // (docs/report-schema.md) is this model, property for property. Where a part of the report is an
    // output record as it is (MetricDifference, TarAtFar, TpirAtFpir, RocPoint, ScoreSummary) the model
    // holds that record; ReportJson maps its property names to the published ones. A type of its own is
    // kept only where the published form differs from the record: MetricSet (one pair population without
    // its curves, every metric nullable), ModelReport, HardPair (dataset-relative paths only),
    // ReportThresholdOutcome (rates without the counts), ComparisonReport (no definitions or confidence level).
    // ReportJsonRoundTripTests checks that every property survives Write and Read.

    /// <summary>A whole evaluation report: per-model verification, comparisons, identification, provenance.</summary>
    public sealed class EvaluationReport
    {
        /// <summary>Bumped on any change an ops tool could notice: "major.minor"; minor adds fields only.</summary>
        public const string CurrentSchemaVersion = "1.1";

        public EvaluationReport(
            string title,
            DateTimeOffset generatedAt,
            ReportProvenance provenance,
            DatasetSummary dataset,
            IEnumerable<ModelReport> models,
            IEnumerable<ComparisonReport> comparisons,
            IEnumerable<IdentificationReport> identification,
            IEnumerable<string> notes,
            ReportRecommendation recommendation = null)
        {
            Recommendation = recommendation;
            Title = string.IsNullOrWhiteSpace(title) ? "Face verification evaluation" : title;
            GeneratedAt = generatedAt.ToUniversalTime();
            Provenance = provenance ?? throw new ArgumentNullException(nameof(provenance));
            Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
            Models = (models ?? Enumerable.Empty<ModelReport>()).ToArray();
            Comparisons = (comparisons ?? Enumerable.Empty<ComparisonReport>()).ToArray();
            Identification = (identification ?? Enumerable.Empty<IdentificationReport>()).ToArray();
            Notes = (notes ?? Enumerable.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        }

        public string SchemaVersion => CurrentSchemaVersion;

        /// <summary>Which model to pick, in plain language: the report's first lines. Null when fewer than two models were compared.</summary>
        public ReportRecommendation Recommendation { get; }

        public string Title { get; }

        public DateTimeOffset GeneratedAt { get; }

        public ReportProvenance Provenance { get; }

        public DatasetSummary Dataset { get; }

        public IReadOnlyList<ModelReport> Models { get; }

        public IReadOnlyList<ComparisonReport> Comparisons { get; }

        public IReadOnlyList<IdentificationReport> Identification { get; }

        /// <summary>Free-text statements the evaluator wants on the report (how pairs were made, caveats).</summary>
        public IReadOnlyList<string> Notes { get; }
    }

    /// <summary>The overall recommendation of a report (metrics.md, "Choosing a model").</summary>
    public sealed class ReportRecommendation
    {
        public ReportRecommendation(string model, string text, double? operatingFar, IEnumerable<string> rules)
        {
            Model = model;
            Text = text;
            OperatingFar = operatingFar;
            Rules = (rules ?? Enumerable.Empty<string>()).ToArray();
        }

        /// <summary>The recommended model; null when the data do not single one out.</summary>
        public string Model { get; }

        /// <summary>The recommendation and its reason, in plain language.</summary>
        public string Text { get; }

        /// <summary>The FAR the decision was made at (system level).</summary>
        public double? OperatingFar { get; }

        /// <summary>The decision rules (metrics.md).</summary>
        public IReadOnlyList<string> Rules { get; }
    }

    /// <summary>Where the numbers came from. Never holds the endpoint URL: only its salted fingerprint.</summary>
    public sealed class ReportProvenance
    {
        public ReportProvenance(
            string moduleVersion,
            IEnumerable<string> endpointFingerprints,
            DateTimeOffset? firstExtraction,
            DateTimeOffset? lastExtraction,
            IEnumerable<KeyValuePair<string, string>> settings)
        {
            ModuleVersion = moduleVersion ?? ModuleInfo.Version;
            EndpointFingerprints = (endpointFingerprints ?? Enumerable.Empty<string>())
                .Where(f => !string.IsNullOrEmpty(f)).Distinct(StringComparer.Ordinal).ToArray();
            FirstExtraction = firstExtraction?.ToUniversalTime();
            LastExtraction = lastExtraction?.ToUniversalTime();
            Settings = (settings ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToArray();
        }

        public string ModuleVersion { get; }

        /// <summary>Salted fingerprints of the endpoints the embeddings came from (one when a run used one endpoint).</summary>
        public IReadOnlyList<string> EndpointFingerprints { get; }

        public DateTimeOffset? FirstExtraction { get; }

        public DateTimeOffset? LastExtraction { get; }

        /// <summary>Crop settings, protocol and whatever else the evaluator recorded, in the order given.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }
    }

    /// <summary>What was evaluated: the dataset's size as the metrics saw it.</summary>
    public sealed class DatasetSummary
    {
        public DatasetSummary(string protocol, int? identities, int? images, long? genuinePairs, long? impostorPairs)
        {
            Protocol = protocol;
            Identities = identities;
            Images = images;
            GenuinePairs = genuinePairs;
            ImpostorPairs = impostorPairs;
        }

        public string Protocol { get; }

        public int? Identities { get; }

        public int? Images { get; }

        public long? GenuinePairs { get; }

        public long? ImpostorPairs { get; }
    }
}
