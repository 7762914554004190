using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Subgroups;
using InsightFaceEval.Templates;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// Measure-FaceVerification on embeddings, as the cmdlet fills it in: optionally as templates (set-to-set, from a
    /// template map) and with subgroup analyses (from attribute metadata); the engine's stages do the measuring.
    /// </summary>
    public sealed class EmbeddingVerification
    {
        /// <summary>Which images form which template; null measures images.</summary>
        public TemplateMap TemplateMap { get; set; }

        public TemplateAggregation TemplateAggregation { get; set; } = TemplateAggregation.MediaThenTemplate;

        /// <summary>Attributes for the subgroup analyses; null for none.</summary>
        public SubgroupMetadata Metadata { get; set; }

        /// <summary>The attribute columns to group by, one analysis each.</summary>
        public IReadOnlyList<string> GroupBy { get; set; }

        /// <summary>How image paths compare (the template map's and the metadata's paths).</summary>
        public StringComparer PathComparer { get; set; } = PathStyle.Current.Comparer;

        public VerificationOutcome Measure(VerificationEngine engine, IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol,
            IReadOnlyList<PairListEntry> pairList, CancellationToken cancellationToken)
        {
            var outcome = new VerificationOutcome();
            if (TemplateMap != null)
            {
                models = TemplateSet.Build(models, TemplateMap, TemplateAggregation, PathComparer, outcome.Problems, outcome.Notes);
            }

            if (models.Count == 0) { return outcome; }
            var inputs = VerificationInputs.FromEmbeddings(models, protocol, pairList, engine.Options, outcome.Problems, outcome.Notes, cancellationToken);
            engine.Measure(inputs, outcome);
            if (Metadata != null && GroupBy != null && GroupBy.Count > 0)
            {
                SubgroupStage.Attach(outcome, inputs, engine.Options, Metadata, GroupBy, cancellationToken);
            }

            return outcome;
        }
    }
}
