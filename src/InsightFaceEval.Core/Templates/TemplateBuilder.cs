using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Templates
{
    /// <summary>How a template's images become one feature.</summary>
    public enum TemplateAggregation
    {
        /// <summary>As the IJB-B/C evaluations do: average the unit features within each media, add the media averages, L2-normalise.</summary>
        MediaThenTemplate = 0,

        /// <summary>Average every unit feature of the template alike, then L2-normalise (a video's many frames weigh as many photos).</summary>
        Mean = 1,
    }

    /// <summary>
    /// Builds one embedding per template from its members' embeddings (one model at a time). Each member's feature is
    /// first scaled to unit length (the score is a cosine, so only directions count); images with no face are left out
    /// of the average; a template whose images all failed is itself a failure to acquire (status NoFace), as an image
    /// with no face is. The template embedding's relative path is the template id, so a template pair list names it.
    /// </summary>
    public static class TemplateBuilder
    {
        /// <summary>
        /// The templates of <paramref name="members"/> (embeddings of one model carrying a template id), ordered by template
        /// id. A template whose members name different identities is left out and reported in <paramref name="problems"/>.
        /// </summary>
        public static List<FaceEmbedding> Build(IReadOnlyList<FaceEmbedding> members, TemplateAggregation aggregation, List<Problem> problems)
        {
            var templates = new List<FaceEmbedding>();
            foreach (var group in members.Where(m => m.TemplateId != null).GroupBy(m => m.TemplateId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var images = group.ToList();
                var identities = images.Select(m => m.Identity ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
                if (identities.Count > 1)
                {
                    problems?.Add(new Problem("TemplateIdentityConflict", ProblemCategory.InvalidData,
                        new InvalidDataException($"Template '{group.Key}' ({images[0].Model}) holds images of {identities.Count} identities ('{identities[0]}', '{identities[1]}'): a template is one person. It is left out."),
                        group.Key));
                    continue;
                }

                var vector = Feature(images, aggregation);
                var first = images[0];
                templates.Add(new FaceEmbedding(group.Key, group.Key, first.Identity, first.Model, vector,
                    vector == null ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, images.All(m => m.FromStore))
                    .WithTemplate(group.Key, null));
            }

            return templates;
        }

        /// <summary>The template feature of <paramref name="images"/> (unit length), or null when none of them has a face.</summary>
        public static float[] Feature(IReadOnlyList<FaceEmbedding> images, TemplateAggregation aggregation)
        {
            var usable = images.Where(m => m.Status == EmbeddingStatus.Success && m.Dimension > 0).ToList();
            if (usable.Count == 0) { return null; }
            int dimension = usable[0].Dimension;
            if (usable.Any(m => m.Dimension != dimension))
            {
                throw new InvalidDataException($"Template '{images[0].TemplateId}' ({images[0].Model}) holds embeddings of different lengths.");
            }

            var sum = new double[dimension];
            if (aggregation == TemplateAggregation.Mean)
            {
                foreach (var m in usable) { AddUnit(sum, m.Vector, 1.0); }
            }
            else
            {
                // Within a media (frames of one video, or a photo's several crops) the features are averaged; the media add up.
                // An image without a media id is a media of its own.
                foreach (var media in usable.GroupBy(m => m.MediaId ?? "\0" + m.RelativePath, StringComparer.Ordinal))
                {
                    var frames = media.ToList();
                    var mean = new double[dimension];
                    foreach (var m in frames) { AddUnit(mean, m.Vector, 1.0); }
                    for (int d = 0; d < dimension; d++) { sum[d] += mean[d] / frames.Count; }
                }
            }

            double norm = 0;
            for (int d = 0; d < dimension; d++) { norm += sum[d] * sum[d]; }
            norm = Math.Sqrt(norm);
            if (!(norm > 0) || double.IsInfinity(norm)) { return null; }
            var feature = new float[dimension];
            for (int d = 0; d < dimension; d++) { feature[d] = (float)(sum[d] / norm); }
            return feature;
        }

        private static void AddUnit(double[] sum, float[] vector, double weight)
        {
            double norm = 0;
            for (int d = 0; d < vector.Length; d++) { norm += (double)vector[d] * vector[d]; }
            norm = Math.Sqrt(norm);
            if (!(norm > 0)) { return; }
            for (int d = 0; d < vector.Length; d++) { sum[d] += weight * vector[d] / norm; }
        }
    }
}
