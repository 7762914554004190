using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Templates
{
    /// <summary>
    /// Set-to-set verification input: turns each model's image embeddings into template embeddings (through a template
    /// map, or the template ids the embeddings already carry), so the verification engine pairs and scores templates
    /// with the same pair designs, metrics, failure rules and identity bootstrap as images.
    /// </summary>
    public static class TemplateSet
    {
        /// <summary>
        /// The templates of each model. <paramref name="map"/> (or, when null, each embedding's own template id) says which
        /// images form a template; images in no template are left out (said in <paramref name="notes"/>), and so is a model
        /// none of whose images is in a template (a problem).
        /// </summary>
        public static List<KeyValuePair<string, List<FaceEmbedding>>> Build(
            IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, TemplateMap map, TemplateAggregation aggregation,
            StringComparer pathComparer, ICollection<ModelProblem> problems, ICollection<string> notes)
        {
            var result = new List<KeyValuePair<string, List<FaceEmbedding>>>();
            foreach (var model in models)
            {
                List<FaceEmbedding> members;
                int unlisted;
                if (map != null)
                {
                    members = map.Apply(model.Value, pathComparer, out unlisted, out var unmatched);
                    if (unmatched.Count > 0)
                    {
                        notes?.Add($"{model.Key}: {unmatched.Count} row(s) of the template map name no image of this model (first: '{unmatched[0].Path}', line {unmatched[0].Line}); those templates lack them.");
                    }
                }
                else
                {
                    members = model.Value.Where(e => e.TemplateId != null).ToList();
                    unlisted = model.Value.Count - members.Count;
                }

                if (members.Count == 0)
                {
                    problems?.Add(new ModelProblem(model.Key, new Problem("NoTemplates", ProblemCategory.ObjectNotFound,
                        new InvalidDataException($"None of the {model.Value.Count} image(s) of model '{model.Key}' belongs to a template{(map == null ? string.Empty : $" of '{map.Source}'")}: there is nothing to measure."),
                        model.Key), true));
                    continue;
                }

                if (unlisted > 0) { notes?.Add($"{model.Key}: {unlisted} image(s) belong to no template and are left out."); }
                var conflicts = new List<Problem>();
                var templates = TemplateBuilder.Build(members, aggregation, conflicts);
                foreach (var conflict in conflicts) { problems?.Add(new ModelProblem(model.Key, conflict, false)); }
                int failed = templates.Count(t => t.Status != EmbeddingStatus.Success);
                notes?.Add($"{model.Key}: {templates.Count} template(s) from {members.Count} image(s) ({aggregation}); {failed} template(s) with no face in any image count as failures to acquire.");
                if (templates.Count > 0) { result.Add(new KeyValuePair<string, List<FaceEmbedding>>(model.Key, templates)); }
            }

            return result;
        }
    }
}
