using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// One model's embeddings after the checks every measurement shares (1:1 and 1:N): one embedding per image (the
    /// first of repeats), in the order of their normalised relative paths, every embedded vector of one length and usable.
    /// </summary>
    public sealed class ModelInput
    {
        internal ModelInput(string model, List<FaceEmbedding> images, int dimension)
        {
            Model = model;
            Images = images;
            Dimension = dimension;
        }

        public string Model { get; }

        /// <summary>The model's images, failures to acquire included, sorted by normalised relative path.</summary>
        public List<FaceEmbedding> Images { get; }

        /// <summary>Length of every embedded vector; 0 when no image was embedded.</summary>
        public int Dimension { get; }

        public bool AnyEmbedded => Images.Any(e => e.Status == EmbeddingStatus.Success);

        /// <summary>
        /// The gallery/probe roles of the images (<see cref="DatasetSplit"/>); images outside gallery/, probe/ and unknown/
        /// are ignored, which <paramref name="notes"/> is told.
        /// </summary>
        public ImageRole[] Split(out string[] identities, out string layout, ICollection<string> notes)
        {
            var roles = DatasetSplit.Split(Images, out identities, out layout);
            int ignored = roles.Count(r => r == ImageRole.Ignored);
            if (ignored > 0) { notes?.Add($"{Model}: {ignored} image(s) outside gallery/, probe/ and unknown/ are left out."); }
            return roles;
        }
    }

    /// <summary>
    /// The per-model input checks of Measure-FaceVerification, Compare-FaceEmbedding and Measure-FaceIdentification,
    /// in one place: model names that differ only in case, repeated images, mixed vector lengths, unusable vectors and
    /// (when asked) a model with no embedded image. Each problem goes to the caller's list; a model with a problem that
    /// makes every number meaningless is left out.
    /// </summary>
    public static class ModelInputs
    {
        /// <param name="requireEmbedded">Refuse a model none of whose images was embedded (NoEmbeddedImages).</param>
        public static List<ModelInput> Validate(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, StringComparer nameComparer, bool requireEmbedded,
            ICollection<ModelProblem> problems, CancellationToken cancellationToken = default(CancellationToken))
        {
            var inputs = new List<ModelInput>();
            var names = new Dictionary<string, string>(nameComparer ?? PathStyle.Current.Comparer);
            foreach (var model in models)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (model.Key != null && names.TryGetValue(model.Key, out var earlier) && !string.Equals(earlier, model.Key, StringComparison.Ordinal))
                {
                    problems.Add(ModelProblem.InvalidArgument(model.Key, "ModelNameCaseConflict", ModelNames.Message(earlier, model.Key) + $" '{model.Key}' is left out.", model.Key, true));
                    continue;
                }

                if (model.Key != null) { names[model.Key] = model.Key; }
                var input = Validate(model.Key, model.Value, requireEmbedded, problems);
                if (input != null) { inputs.Add(input); }
            }

            return inputs;
        }

        /// <summary>One model's checks; null when the model cannot be measured (the problem is in <paramref name="problems"/>).</summary>
        public static ModelInput Validate(string model, IEnumerable<FaceEmbedding> embeddings, bool requireEmbedded, ICollection<ModelProblem> problems)
        {
            var byKey = new Dictionary<string, FaceEmbedding>(StringComparer.Ordinal);
            foreach (var e in embeddings)
            {
                var key = DatasetPaths.NormalizeKey(e.RelativePath);
                if (byKey.ContainsKey(key))
                {
                    problems.Add(ModelProblem.InvalidData(model, "DuplicateImage", $"'{key}' appears more than once for model '{model}'; the first is used.", e, false));
                    continue;
                }

                byKey[key] = e;
            }

            var images = byKey.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();
            int dimension = 0;
            FaceEmbedding first = null;
            foreach (var e in images)
            {
                if (e.Status != EmbeddingStatus.Success) { continue; }
                if (first == null)
                {
                    first = e;
                    dimension = e.Dimension;
                }
                else if (e.Dimension != dimension)
                {
                    problems.Add(ModelProblem.InvalidData(model, "DimensionMismatch",
                        $"Model '{model}' has embeddings of different lengths ({dimension} for '{first.RelativePath}', {e.Dimension} for '{e.RelativePath}'): they cannot come from one model, and are never compared. Measure them under different model names.", e, true));
                    return null;
                }

                var reason = EmbeddingMatrix.InvalidReason(e.Vector);
                if (e.Dimension == 0) { reason = "is empty although its status is Success"; }
                if (reason != null)
                {
                    problems.Add(ModelProblem.InvalidData(model, "InvalidEmbedding", $"The embedding of '{e.RelativePath}' ({model}) {reason}, so no cosine is defined for its pairs.", e, true));
                    return null;
                }
            }

            if (first == null && requireEmbedded)
            {
                problems.Add(ModelProblem.InvalidData(model, "NoEmbeddedImages", $"Model '{model}' found no face in any of its {images.Count} image(s): nothing can be scored.", model, true));
                return null;
            }

            return new ModelInput(model, images, dimension);
        }
    }
}
