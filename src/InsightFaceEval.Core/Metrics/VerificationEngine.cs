using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics.Sharding;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>What one Measure-FaceVerification call produced.</summary>
    public sealed class VerificationOutcome
    {
        public List<VerificationResult> Results { get; } = new List<VerificationResult>();

        public List<ModelComparison> Comparisons { get; } = new List<ModelComparison>();

        public List<MeasurementIssue> Issues { get; } = new List<MeasurementIssue>();

        /// <summary>How the measurement went (verbose): passes, their timings, ignored images.</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <summary>What a user must know about the numbers (warnings): missing intervals, a missing common pair set, models not compared.</summary>
        public List<string> Warnings { get; } = new List<string>();
    }

    /// <summary>
    /// Measures one or more models: builds each model's pair design, scores genuine pairs exactly and impostor pairs
    /// through the streaming accumulator (a second pass only when an order statistic falls outside what the first
    /// kept), derives the three pair sets' metrics, the bootstrap intervals, and the paired model comparisons.
    /// Runs on worker threads; reports only through <see cref="MeasurementProgress"/> and the returned outcome.
    /// </summary>
    public sealed class VerificationEngine
    {
        /// <summary>With a bootstrap, sets of up to this many completed impostor pairs keep every one: about 4 MB, and at 1,000 replicates a few seconds more for the AUC walks.</summary>
        internal const long WholeTailLimit = 1 << 18;

        private readonly VerificationOptions options;
        private readonly MeasurementProgress progress;
        private readonly CancellationToken cancellationToken;
        private VerificationOutcome outcome;

        public VerificationEngine(VerificationOptions options, MeasurementProgress progress, CancellationToken cancellationToken)
        {
            this.options = options ?? new VerificationOptions();
            var operating = this.options.OperatingFar;
            if (operating.HasValue && !this.options.FarTargets.Any(f => Math.Abs(f - operating.Value) <= 1e-12 * f))
            {
                // The operating point is measured like any other target.
                this.options.FarTargets = this.options.FarTargets.Concat(new[] { operating.Value }).OrderByDescending(f => f).ToArray();
            }
            this.progress = progress ?? new MeasurementProgress();
            this.cancellationToken = cancellationToken;
        }

        private sealed class ModelRun
        {
            public string Model;
            public string Protocol;
            public List<FaceEmbedding> Images;
            public string[] Labels;
            public ImageRole[] Roles;
            public int Dimension;

            /// <summary>Scores came with the pairs (FaceComparison input): there are no vectors to score.</summary>
            public bool ScoresGiven;
            public PairDesign Design;
            public VerificationResult Result;
            public VerificationMetrics Common;
            public BootstrapReplicates CommonReplicates;
            public BootstrapReplicates SystemReplicates;
            public BootstrapReplicates CompletedReplicates;
        }

        /// <summary>Measures embeddings grouped by model, pairing them by <paramref name="protocol"/>.</summary>
        public VerificationOutcome MeasureEmbeddings(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList)
        {
            outcome = new VerificationOutcome();
            var runs = PrepareRuns(models, protocol, pairList, out var identityNames);
            Finish(runs, identityNames);
            return outcome;
        }

        /// <summary>
        /// Scores shard <paramref name="shard"/> of every model's pair space and returns its state (no results: the
        /// merge of all N states measures). Problems with the input are reported as a full run reports them.
        /// </summary>
        public VerificationOutcome MeasureShard(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList,
            ShardSpec shard, out ShardState state)
        {
            outcome = new VerificationOutcome();
            var runs = PrepareRuns(models, protocol, pairList, out var identityNames);
            var settings = ShardSettings.From(options);
            state = new ShardState
            {
                Index = shard.Index,
                Count = shard.Count,
                ModuleVersion = ModuleInfo.Version,
                Protocol = protocol,
                IdentityNames = identityNames,
                Settings = settings,
                SettingsFingerprint = ShardCapture.SettingsFingerprint(settings),
                DataFingerprint = ShardCapture.DataFingerprint(protocol, identityNames, runs.Select(r => new KeyValuePair<string, PairDesign>(r.Model, r.Design)),
                    m => runs.First(r => r.Model == m).Dimension),
            };
            Finish(runs, identityNames, new ShardWork { Spec = shard, State = state });
            return outcome;
        }

        /// <summary>
        /// Merges the states of every shard of one run (checked and ordered by <see cref="ShardMerge"/>) into the results
        /// one run over every pair gives, with the settings the shards were run with.
        /// </summary>
        public static VerificationOutcome MeasureStates(IReadOnlyList<ShardState> states, int workers, MeasurementProgress progress, CancellationToken cancellationToken)
        {
            var engine = new VerificationEngine(states[0].Settings.ToOptions(workers), progress, cancellationToken);
            engine.outcome = new VerificationOutcome();
            var runs = new List<ModelRun>();
            var work = new ShardWork();
            for (int m = 0; m < states[0].Models.Count; m++)
            {
                var parts = states.Select(s => s.Models[m]).ToList();
                var first = parts[0];
                var design = ShardCapture.Rebuild(first.Design, first.Model, engine.options.Folds);
                runs.Add(new ModelRun { Model = first.Model, Protocol = first.ProtocolLabel, Dimension = first.Dimension, Images = design.Images.ToList(), Design = design });
                work.Merged[first.Model] = parts;
            }

            engine.Finish(runs, states[0].IdentityNames, work);
            return engine.outcome;
        }

        /// <summary>A shard run (Spec and the State it fills) or a merge (each model's shards).</summary>
        private sealed class ShardWork
        {
            public ShardSpec Spec;
            public ShardState State;
            public Dictionary<string, List<ModelShard>> Merged = new Dictionary<string, List<ModelShard>>(StringComparer.Ordinal);
        }

        /// <summary>
        /// The pair design of each usable model (for Compare-FaceEmbedding); problems go to <paramref name="issues"/>.
        /// <paramref name="identityNames"/> names each identity index of the designs.
        /// </summary>
        public List<KeyValuePair<string, PairDesign>> Designs(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList,
            out VerificationOutcome issues, out string[] identityNames)
        {
            outcome = new VerificationOutcome();
            issues = outcome;
            return PrepareRuns(models, protocol, pairList, out identityNames).Select(r => new KeyValuePair<string, PairDesign>(r.Model, r.Design)).ToList();
        }

        private List<ModelRun> PrepareRuns(IReadOnlyList<KeyValuePair<string, List<FaceEmbedding>>> models, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList, out string[] identityNames)
        {
            var runs = new List<ModelRun>();
            var names = new Dictionary<string, string>(options.NameComparer ?? PathStyle.Current.Comparer);
            foreach (var model in models)
            {
                if (model.Key != null && names.TryGetValue(model.Key, out var earlier) && !string.Equals(earlier, model.Key, StringComparison.Ordinal))
                {
                    Issue(model.Key, "ModelNameCaseConflict", "InvalidArgument", ModelNames.Message(earlier, model.Key) + $" '{model.Key}' is left out.", model.Key, true);
                    continue;
                }

                if (model.Key != null) { names[model.Key] = model.Key; }
                var run = Prepare(model.Key, model.Value, protocol);
                if (run != null) { runs.Add(run); }
            }

            // Identities and the common set span every model measured together.
            var identityIndex = IdentityIndex(runs.SelectMany(r => r.Labels));
            var commonKeys = CommonKeys(runs);
            foreach (var run in runs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                run.Design = BuildDesign(run, protocol, pairList, identityIndex, commonKeys);
            }

            identityNames = Names(identityIndex);
            return runs.Where(r => r.Design != null).ToList();
        }

        /// <summary>
        /// Measures FaceComparison objects grouped by model (their scores are used as given). A model's images are the
        /// distinct ones its comparisons name (by relative path), each a failure to acquire when a comparison says that
        /// side had no face, so FTA, the identities and the bootstrap see what -Embedding input on the same data sees.
        /// </summary>
        public VerificationOutcome MeasureComparisons(IReadOnlyList<KeyValuePair<string, List<FaceComparison>>> models)
        {
            outcome = new VerificationOutcome();
            var usable = new List<KeyValuePair<string, List<FaceComparison>>>();
            foreach (var model in models)
            {
                var bad = model.Value.FirstOrDefault(c => double.IsNaN(c.Similarity) || double.IsInfinity(c.Similarity) || c.Similarity < -1 || c.Similarity > 1);
                if (bad != null)
                {
                    int count = model.Value.Count(c => double.IsNaN(c.Similarity) || double.IsInfinity(c.Similarity) || c.Similarity < -1 || c.Similarity > 1);
                    Issue(model.Key, "InvalidSimilarity", "InvalidData",
                        $"Model '{model.Key}': {count} comparison(s) have a similarity that is not a number in [-1, 1] (first: {bad.ReferenceRelativePath} vs {bad.DifferenceRelativePath} = {bad.Similarity.ToString(CultureInfo.InvariantCulture)}), so no metric is meaningful.", bad, true);
                    continue;
                }

                var sized = model.Value.Where(c => c.Dimension > 0).ToList();
                var odd = sized.FirstOrDefault(c => c.Dimension != sized[0].Dimension);
                if (odd != null)
                {
                    Issue(model.Key, "DimensionMismatch", "InvalidData",
                        $"Model '{model.Key}' has comparisons of embeddings of different lengths ({sized[0].Dimension} for '{sized[0].ReferenceRelativePath}' vs '{sized[0].DifferenceRelativePath}', {odd.Dimension} for '{odd.ReferenceRelativePath}' vs '{odd.DifferenceRelativePath}'): they cannot come from one model. Measure them under different model names.", odd, true);
                    continue;
                }

                var labelled = new List<FaceComparison>();
                foreach (var c in model.Value)
                {
                    if (c.IsGenuine.HasValue) { labelled.Add(c); continue; }
                    Issue(model.Key, "UnlabelledComparison", "InvalidData", $"'{c.ReferenceRelativePath}' vs '{c.DifferenceRelativePath}' ({model.Key}) is neither genuine nor impostor (no identities or label); it is left out.", c, false);
                }

                usable.Add(new KeyValuePair<string, List<FaceComparison>>(model.Key, labelled));
            }

            var identityIndex = IdentityIndex(usable.SelectMany(m => m.Value.SelectMany(c => new[] { c.ReferenceIdentity ?? string.Empty, c.DifferenceIdentity ?? string.Empty })));
            var completedEverywhere = CommonPairs(usable);
            var runs = new List<ModelRun>();
            foreach (var model in usable)
            {
                var images = ImagesOf(model.Key, model.Value, out var left, out var right);
                var pairs = model.Value;
                var genuine = new bool[pairs.Count];
                var scores = new float[pairs.Count];
                var completed = new bool[pairs.Count];
                var common = new bool[pairs.Count];
                for (int p = 0; p < pairs.Count; p++)
                {
                    var c = pairs[p];
                    genuine[p] = c.IsGenuine.Value;
                    completed[p] = c.Status == ComparisonStatus.Completed;
                    scores[p] = completed[p] ? (float)c.Similarity : -1f;
                    common[p] = completed[p] && completedEverywhere.Contains(PairKey(c));
                }

                var protocols = pairs.Select(c => c.Protocol).Distinct(StringComparer.Ordinal).ToList();
                runs.Add(new ModelRun
                {
                    Model = model.Key,
                    Protocol = protocols.Count == 1 && !string.IsNullOrEmpty(protocols[0]) ? protocols[0] : "Comparisons",
                    Images = images,
                    Dimension = pairs.Select(c => c.Dimension).DefaultIfEmpty(0).Max(),
                    ScoresGiven = true,
                    Design = new PairListDesign("Comparisons", images, images.Select(e => identityIndex[e.Identity ?? string.Empty]).ToArray(), new bool[images.Count],
                        left, right, genuine, scores, completed, common, options.Folds),
                });
            }

            // An image is common when every model embedded it, as with -Embedding input.
            var commonKeys = CommonKeys(runs);
            foreach (var run in runs)
            {
                for (int i = 0; i < run.Images.Count; i++)
                {
                    run.Design.Common[i] = run.Design.Completed[i] && commonKeys.Contains(DatasetPaths.NormalizeKey(run.Images[i].RelativePath));
                }
            }

            Finish(runs, Names(identityIndex));
            return outcome;
        }

        /// <summary>
        /// The distinct images of one model's comparisons, in order of first appearance, each failed when any comparison
        /// says its side had no face; <paramref name="left"/> and <paramref name="right"/> index them per comparison.
        /// </summary>
        private List<FaceEmbedding> ImagesOf(string model, List<FaceComparison> pairs, out int[] left, out int[] right)
        {
            var keys = new List<string>();
            var first = new List<FaceComparison>();
            var firstIsReference = new List<bool>();
            var seen = new List<int>(); // 1: embedded in some comparison, 2: no face in some comparison
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            int ImageOf(FaceComparison c, bool reference)
            {
                var relative = reference ? c.ReferenceRelativePath ?? c.ReferencePath : c.DifferenceRelativePath ?? c.DifferencePath;
                var key = DatasetPaths.NormalizeKey(relative);
                bool noFace = (reference ? c.ReferenceStatus : c.DifferenceStatus) != EmbeddingStatus.Success;
                if (!index.TryGetValue(key, out var i))
                {
                    i = keys.Count;
                    index[key] = i;
                    keys.Add(key);
                    first.Add(c);
                    firstIsReference.Add(reference);
                    seen.Add(0);
                }

                seen[i] |= noFace ? 2 : 1;
                return i;
            }

            left = new int[pairs.Count];
            right = new int[pairs.Count];
            for (int p = 0; p < pairs.Count; p++)
            {
                left[p] = ImageOf(pairs[p], true);
                right[p] = ImageOf(pairs[p], false);
            }

            var conflicts = Enumerable.Range(0, keys.Count).Where(i => seen[i] == 3).ToList();
            if (conflicts.Count > 0)
            {
                outcome.Warnings.Add($"{model}: {conflicts.Count} image(s) (first '{keys[conflicts[0]]}') had a face in some comparisons and none in others, so the comparisons come from different extractions; such images count as failures to acquire.");
            }

            var images = new List<FaceEmbedding>(keys.Count);
            for (int i = 0; i < keys.Count; i++)
            {
                var c = first[i];
                bool reference = firstIsReference[i];
                var path = reference ? c.ReferencePath : c.DifferencePath;
                var relative = reference ? c.ReferenceRelativePath : c.DifferenceRelativePath;
                images.Add(new FaceEmbedding(path ?? relative ?? keys[i], relative ?? keys[i], reference ? c.ReferenceIdentity : c.DifferenceIdentity, model, null,
                    (seen[i] & 2) != 0 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false));
            }

            return images;
        }

        private ModelRun Prepare(string model, List<FaceEmbedding> embeddings, PairProtocol protocol)
        {
            var byKey = new Dictionary<string, FaceEmbedding>(StringComparer.Ordinal);
            foreach (var e in embeddings)
            {
                var key = DatasetPaths.NormalizeKey(e.RelativePath);
                if (byKey.ContainsKey(key))
                {
                    Issue(model, "DuplicateImage", "InvalidData", $"'{key}' appears more than once for model '{model}'; the first is used.", e, false);
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
                    Issue(model, "DimensionMismatch", "InvalidData",
                        $"Model '{model}' has embeddings of different lengths ({dimension} for '{first.RelativePath}', {e.Dimension} for '{e.RelativePath}'): they cannot come from one model, and are never compared. Measure them under different model names.", e, true);
                    return null;
                }

                var reason = EmbeddingMatrix.InvalidReason(e.Vector);
                if (e.Dimension == 0) { reason = "is empty although its status is Success"; }
                if (reason != null)
                {
                    Issue(model, "InvalidEmbedding", "InvalidData", $"The embedding of '{e.RelativePath}' ({model}) {reason}, so no cosine is defined for its pairs.", e, true);
                    return null;
                }
            }

            if (first == null)
            {
                Issue(model, "NoEmbeddedImages", "InvalidData", $"Model '{model}' found no face in any of its {images.Count} image(s): nothing can be scored.", model, true);
                return null;
            }

            var run = new ModelRun { Model = model, Protocol = protocol.ToString(), Images = images, Dimension = dimension };
            if (protocol == PairProtocol.GalleryProbe)
            {
                run.Roles = DatasetSplit.Split(images, out var labels, out _);
                run.Labels = labels;
                int ignored = run.Roles.Count(r => r == ImageRole.Ignored);
                if (ignored > 0) { outcome.Notes.Add($"{model}: {ignored} image(s) outside gallery/, probe/ and unknown/ are left out."); }
            }
            else
            {
                run.Labels = images.Select(e => e.Identity ?? string.Empty).ToArray();
            }

            return run;
        }

        private PairDesign BuildDesign(ModelRun run, PairProtocol protocol, IReadOnlyList<PairListEntry> pairList, Dictionary<string, int> identityIndex, HashSet<string> commonKeys)
        {
            if (protocol == PairProtocol.PairList) { return BuildPairList(run, pairList, identityIndex, commonKeys); }
            var images = run.Images;
            var labels = run.Labels;
            if (protocol == PairProtocol.GalleryProbe)
            {
                var keep = Enumerable.Range(0, images.Count).Where(i => run.Roles[i] != ImageRole.Ignored).ToList();
                images = keep.Select(i => run.Images[i]).ToList();
                labels = keep.Select(i => run.Labels[i]).ToArray();
                var gallery = keep.Select(i => run.Roles[i] == ImageRole.Gallery).ToArray();
                run.Images = images;
                return new GalleryProbeDesign(images, labels.Select(l => identityIndex[l]).ToArray(), CommonFlags(images, commonKeys), gallery, options.Folds);
            }

            return new AllPairsDesign(images, labels.Select(l => identityIndex[l]).ToArray(), CommonFlags(images, commonKeys), options.Folds);
        }

        private PairDesign BuildPairList(ModelRun run, IReadOnlyList<PairListEntry> pairList, Dictionary<string, int> identityIndex, HashSet<string> commonKeys)
        {
            // Pair-list keys compare as the system compares file names: 'Alice/1.png' names alice\1.png on Windows.
            var keyComparer = options.NameComparer ?? PathStyle.Current.Comparer;
            var byKey = new Dictionary<string, int>(keyComparer);
            var byStem = new Dictionary<string, int>(keyComparer);
            var byPath = new Dictionary<string, int>(PathStyle.Current.Comparer);
            for (int i = 0; i < run.Images.Count; i++)
            {
                var key = DatasetPaths.NormalizeKey(run.Images[i].RelativePath);
                byKey[key] = i;
                var stem = Stem(key);
                byStem[stem] = byStem.ContainsKey(stem) ? -1 : i;
                if (run.Images[i].Path != null) { byPath[run.Images[i].Path] = i; }
            }

            int Find(string entry)
            {
                var key = DatasetPaths.NormalizeKey(entry);
                if (byKey.TryGetValue(key, out var i)) { return i; }
                if (Path.IsPathRooted(entry) && byPath.TryGetValue(Path.GetFullPath(entry), out i)) { return i; }
                if (byStem.TryGetValue(Stem(key), out i) && i >= 0) { return i; }
                return -1;
            }

            var used = new Dictionary<int, int>();
            var images = new List<FaceEmbedding>();
            var labels = new List<string>();
            var left = new List<int>();
            var right = new List<int>();
            var genuine = new List<bool>();
            var missing = new HashSet<string>(keyComparer);
            int Use(int i)
            {
                if (!used.TryGetValue(i, out var d))
                {
                    d = images.Count;
                    used[i] = d;
                    images.Add(run.Images[i]);
                    labels.Add(run.Labels[i]);
                }

                return d;
            }

            foreach (var entry in pairList)
            {
                int a = Find(entry.First), b = Find(entry.Second);
                if (a < 0 || b < 0)
                {
                    foreach (var name in new[] { a < 0 ? entry.First : null, b < 0 ? entry.Second : null })
                    {
                        if (name != null && missing.Add(name))
                        {
                            Issue(run.Model, "PairImageNotFound", "ObjectNotFound",
                                $"Pair list line {entry.Line}: no '{run.Model}' embedding for '{name}' (matched by path relative to the dataset root); its pairs are left out.", name, false);
                        }
                    }

                    continue;
                }

                left.Add(Use(a));
                right.Add(Use(b));
                genuine.Add(entry.Genuine);
            }

            if (left.Count == 0)
            {
                Issue(run.Model, "NoPairs", "ObjectNotFound", $"No pair of the list has both images embedded by '{run.Model}'.", run.Model, true);
                return null;
            }

            run.Images = images;
            return new PairListDesign("PairList", images, labels.Select(l => identityIndex[l]).ToArray(), CommonFlags(images, commonKeys),
                left.ToArray(), right.ToArray(), genuine.ToArray(), null, null, null, options.Folds);
        }

        private static string Stem(string key)
        {
            int slash = key.LastIndexOf('/');
            int dot = key.LastIndexOf('.');
            return dot > slash ? key.Substring(0, dot) : key;
        }

        private void Finish(List<ModelRun> runs, string[] identityNames, ShardWork shards = null)
        {
            bool several = runs.Count > 1;
            var names = runs.Select(r => r.Model).ToArray();
            for (int m = 0; m < runs.Count; m++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    Run(runs[m], several, names, identityNames, m, runs.Count, shards);
                }
                catch (UnmeasurableException ex)
                {
                    Issue(runs[m].Model, ex.Problem, "InvalidData", $"Model '{runs[m].Model}': {ex.Message}{Diagnosis(runs[m], ex.Problem, identityNames)}", runs[m].Model, true);
                }
            }

            var measured = runs.Where(r => r.Result != null).ToList();
            if (measured.Count < 2) { return; }
            var evidence = measured.Select(r => new ModelEvidence(r.Model, r.Result, r.SystemReplicates, r.CompletedReplicates, r.CommonReplicates,
                r.Design.Identity, r.Design.Images.Select(e => e.Status != EmbeddingStatus.Success).ToArray())).ToList();
            var operatingFar = ModelVerdict.OperatingFar(measured.Select(r => r.Result).ToList(), options);
            if (options.OperatingFar.HasValue && measured.Any(r => !r.Result.SystemLevel.TarAtFar.Any(t => t.IsSupported && Math.Abs(t.TargetFar - options.OperatingFar.Value) <= 1e-12 * t.TargetFar)))
            {
                outcome.Warnings.Add($"FAR {TarAtFar.FormatFar(options.OperatingFar.Value)} (-OperatingFar) is not supported by every model's system-level pairs, so the system-level EER decides instead.");
            }

            for (int i = 0; i < measured.Count; i++)
            {
                for (int j = i + 1; j < measured.Count; j++)
                {
                    if (measured[i].Common == null || measured[j].Common == null)
                    {
                        outcome.Warnings.Add($"{measured[i].Model} and {measured[j].Model} share no measurable pairs that both completed, so only their system-level figures are compared.");
                    }

                    outcome.Comparisons.Add(ModelVerdict.Compare(evidence[i], evidence[j], operatingFar, options));
                }
            }

            var overall = ModelVerdict.Overall(measured.Select(r => r.Model).ToList(), outcome.Comparisons, out var recommended);
            foreach (var run in measured)
            {
                run.Result.Recommendation = overall;
                run.Result.IsRecommended = run.Model == recommended;
                run.Result.OperatingFar = outcome.Comparisons.Select(c => c.OperatingFar).FirstOrDefault(f => f.HasValue);
            }
        }

        /// <summary>With no impostor pairs because every image has one identity: where it came from and how to give identities.</summary>
        private static string Diagnosis(ModelRun run, string problem, string[] identityNames)
        {
            if (problem != "NoImpostorPairs" || run.Design == null || run.Protocol == nameof(PairProtocol.PairList)) { return string.Empty; }
            var why = IdentityCheck.SingleIdentity(run.Design.Images, run.Design.Identity.Select(i => identityNames[i]).ToList());
            return why == null ? string.Empty : " " + why;
        }

        private void Run(ModelRun run, bool several, string[] comparedModels, string[] identityNames, int index, int count, ShardWork shards)
        {
            List<ModelShard> merged = null;
            shards?.Merged.TryGetValue(run.Model, out merged);
            uint[] mergedGenuine = merged == null ? null : ShardCapture.GenuineKeys(merged);
            int genuineIndex = 0;
            int identityCount = identityNames.Length;
            var design = run.Design;
            string label = count > 1 ? $"{run.Model} ({index + 1} of {count})" : run.Model;
            progress.Activity = $"{label}: scoring genuine pairs";
            progress.Pairs = null;
            EmbeddingMatrix matrix = null;
            if (!run.ScoresGiven && run.Dimension > 0 && merged == null)
            {
                matrix = EmbeddingMatrix.FromVectors(design.RowImage.Select(i => design.Images[i].Vector).ToList(), run.Dimension);
            }

            var records = new List<GenuineRecord>();
            design.ForEachGenuine((a, b, ordinal) =>
            {
                bool completed = design.PairCompleted(a, b, ordinal);
                records.Add(new GenuineRecord
                {
                    Key = mergedGenuine != null ? mergedGenuine[genuineIndex++] : completed ? ScoreKeys.Key(design.PairScore(matrix, a, b, ordinal)) : ScoreKeys.MinusOne,
                    Identity = design.Identity[a],
                    Fold = design.FoldOf(ordinal),
                    Ordinal = ordinal,
                    ImageA = a,
                    ImageB = b,
                    Common = completed && design.PairCommon(a, b, ordinal),
                    Failed = !completed,
                });
            });

            var completedGenuine = new GenuineView(records.Where(r => !r.Failed), options.Folds);
            var systemGenuine = new GenuineView(records, options.Folds);
            var commonGenuine = several ? new GenuineView(records.Where(r => r.Common), options.Folds) : null;

            var anchors = new SortedSet<uint>(completedGenuine.Keys) { ScoreKeys.MinusOne };
            foreach (var edge in VerificationCalculator.HistogramEdges(options.HistogramBins)) { anchors.Add(ScoreKeys.CeilingKey(edge)); }
            if (options.Threshold.HasValue) { anchors.Add(ScoreKeys.CeilingKey(options.Threshold.Value)); }
            anchors.RemoveWhere(k => k >= ScoreKeys.AboveOne);

            long completedImpostors = Math.Max(0, design.CompletedPairCount() - completedGenuine.Count);
            long deepest = options.FarTargets.Length == 0 ? 0 : Statistics.Budget(options.FarTargets.Max(), completedImpostors);
            long keep = Math.Max(Math.Max(Math.Min(4096, options.MaxTailEntries), options.HardestPairs), (long)Math.Ceiling(1.25 * (deepest + 1)) + 1024);
            if (options.BootstrapSamples > 0 && completedImpostors <= WholeTailLimit)
            {
                // Every impostor kept: each replicate's AUC, and its system-level numbers down to the failures at -1,
                // are then exact. Larger sets keep only what the targets need (and get an AUC interval only when
                // the kept scores reach below the lowest genuine score).
                keep = Math.Max(keep, completedImpostors);
            }

            keep = Math.Min(options.MaxTailEntries, Math.Min(keep, Math.Max(16, completedImpostors)));
            var acc = new ImpostorAccumulator(anchors.ToArray(), options.Folds, (int)keep);

            progress.Activity = $"{label}: scoring impostor pairs";
            if (merged != null)
            {
                ShardCapture.Restore(acc, merged);
            }
            else
            {
                // A shard cannot come back for a second pass: it counts a wider band of predicted buckets key by key.
                var predicted = shards?.Spec == null ? PredictBuckets(design, matrix, completedGenuine, completedImpostors, keep)
                    : ShardPrediction.Buckets(design, matrix, options, keep, completedGenuine, systemGenuine, commonGenuine, completedImpostors, design.FailedImpostorsPerFold().Sum());
                var unitPairs = shards?.Spec != null ? ShardSpec.UnitPairs(design) : null;
                design.ScoredUnits = unitPairs == null ? (UnitRange?)null : shards.Spec.Units(unitPairs);
                ScoreImpostors(design, matrix, acc, false, predicted);
                if (unitPairs != null)
                {
                    shards.State.Models.Add(ShardCapture.Capture(run.Model, run.Protocol, run.Dimension, design, records, acc, shards.Spec, (int)keep,
                        design.ScoredUnits.Value, acc.Partials == null ? unitPairs.Length : acc.Partials.Length / 4, progress.Pairs?.Done ?? 0));
                    return;
                }
            }

            var failedImpostors = design.FailedImpostorsPerFold();

            var completedImpostor = acc.View(true, null);
            var systemImpostor = acc.View(true, failedImpostors);
            var commonImpostor = several ? acc.View(false, null) : null;

            int Identities(Func<int, bool> included) => Enumerable.Range(0, design.Images.Count).Where(included).Select(i => design.Identity[i]).Distinct().Count();

            // One bootstrap per pair set, all drawing the same identities replicate by replicate (same seed).
            BootstrapIntervals completedIntervals = null, systemIntervals = null, commonIntervals = null;
            if (options.BootstrapSamples > 0)
            {
                progress.Activity = $"{label}: bootstrap ({options.BootstrapSamples} replicates)";
                run.CompletedReplicates = Bootstrap(run, PairSet.Completed, completedGenuine, completedImpostor, completedImpostor.Count, identityCount);
                completedIntervals = run.CompletedReplicates.Intervals(options.ConfidenceLevel);
                progress.Activity = $"{label}: bootstrap at system level ({options.BootstrapSamples} replicates)";
                run.SystemReplicates = Bootstrap(run, PairSet.SystemLevel, systemGenuine, completedImpostor, systemImpostor.Count, identityCount);
                systemIntervals = run.SystemReplicates.Intervals(options.ConfidenceLevel);
                if (several && commonGenuine.Count > 0 && commonImpostor.Count > 0)
                {
                    progress.Activity = $"{label}: bootstrap on the common pairs ({options.BootstrapSamples} replicates)";
                    run.CommonReplicates = Bootstrap(run, PairSet.CommonCompleted, commonGenuine, commonImpostor, commonImpostor.Count, identityCount);
                    commonIntervals = run.CommonReplicates.Intervals(options.ConfidenceLevel);
                }
            }

            VerificationMetrics completed = null, system = null, common = null;
            long failedGenuine = records.Count(r => r.Failed);
            for (int attempt = 0; ; attempt++)
            {
                progress.Activity = $"{label}: computing metrics";
                completed = VerificationCalculator.Compute(PairSet.Completed, completedGenuine, completedImpostor, Identities(i => design.Completed[i]), 0, 0, options, completedIntervals, acc.Needs);
                system = VerificationCalculator.Compute(PairSet.SystemLevel, systemGenuine, systemImpostor, Identities(i => true), failedGenuine, failedImpostors.Sum(), options, systemIntervals, acc.Needs);
                if (several)
                {
                    try
                    {
                        common = VerificationCalculator.Compute(PairSet.CommonCompleted, commonGenuine, commonImpostor, Identities(i => design.Common[i]), 0, 0, options, commonIntervals, acc.Needs);
                    }
                    catch (UnmeasurableException ex)
                    {
                        common = null;
                        if (attempt == 0) { outcome.Warnings.Add($"{run.Model}: no metrics on the pairs every model completed: {ex.Message}"); }
                    }
                }

                if (acc.Needs.Count == 0) { break; }
                if (merged != null)
                {
                    throw new UnmeasurableException($"the merged shard states do not count {acc.Needs.Count} score bucket(s) key by key (scores from {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Min())):G6} to {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Max()) + 0xFFFF):G6}), which an order statistic falls in; one run over every pair would count them in a second pass, a shard cannot. Measure these data in one run, or with fewer FAR targets.", "ShardStateUnresolved");
                }

                if (attempt >= 3) { throw new InvalidOperationException("The exact order statistics did not resolve after three refinement passes."); }
                progress.Activity = $"{label}: counting {acc.Needs.Count} score bucket(s) exactly (pass {acc.Passes + 1})";
                outcome.Notes.Add($"{run.Model}: pass {acc.Passes + 1} over the impostor pairs to count {acc.Needs.Count} score bucket(s) exactly (scores from {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Min())):G6} to {ScoreKeys.Value(ScoreKeys.BucketStart(acc.Needs.Max()) + 0xFFFF):G6}).");
                ScoreImpostors(design, matrix, acc, true);
            }

            run.Common = common;
            var hardestGenuine = completedGenuine.Records.Take(options.HardestPairs)
                .Select(r => Scored(design, identityNames, r.ImageA, r.ImageB, ScoreKeys.Value(r.Key), true)).ToArray();
            var hardestImpostor = new List<ScoredPair>();
            for (int i = 0; i < completedImpostor.TailKeys.Length && hardestImpostor.Count < options.HardestPairs; i++)
            {
                if (completedImpostor.TailOrdinals[i] < 0) { break; }
                design.PairAt(completedImpostor.TailOrdinals[i], out var a, out var b);
                hardestImpostor.Add(Scored(design, identityNames, a, b, ScoreKeys.Value(completedImpostor.TailKeys[i]), false));
            }

            run.Result = new VerificationResult(
                run.Model, run.Protocol, run.Dimension,
                design.Images.Count,
                design.Images.Count(e => e.Status != EmbeddingStatus.Success),
                Identities(i => true),
                completed, system, common,
                comparedModels, options.FarTargets, options.Threshold, options.Folds, options.BootstrapSamples, options.BootstrapSeed,
                hardestGenuine, hardestImpostor.ToArray(), MetricDefinitions.Verification, ModuleInfo.Version, DateTimeOffset.UtcNow);
            outcome.Results.Add(run.Result);
        }

        /// <summary>
        /// The bootstrap of one pair set; its notes become warnings (named after the pair set unless it is the
        /// completed one). <paramref name="impostor"/> never holds the failures at -1: at system level the
        /// engine weighs those from the design.
        /// </summary>
        private BootstrapReplicates Bootstrap(ModelRun run, PairSet set, GenuineView genuine, ImpostorView impostor, long impostorPairs, int identityCount)
        {
            var engine = new BootstrapEngine(run.Design, set, genuine, impostor, identityCount);
            var supported = options.FarTargets.Select(f => Statistics.Budget(f, impostorPairs) > 0).ToArray();
            var replicates = engine.Run(options.BootstrapSamples, options.BootstrapSeed, options.FarTargets, options.Workers, cancellationToken, supported);
            string where = set == PairSet.SystemLevel ? " (system level)" : set == PairSet.CommonCompleted ? " (pairs every model completed)" : string.Empty;
            foreach (var note in replicates.Notes) { outcome.Warnings.Add($"{run.Model}{where}: {note}"); }
            return replicates;
        }

        /// <summary>
        /// Buckets the first pass should count key by key: where a random sample of impostor scores puts the order
        /// statistics the tail will not reach (a TAR@FAR threshold deep in the bulk, the EER crossing), with a
        /// wide margin. A wrong guess costs only a second pass; the results are exact either way.
        /// </summary>
        private List<int> PredictBuckets(PairDesign design, EmbeddingMatrix matrix, GenuineView genuine, long impostors, long keep)
        {
            var buckets = new List<int>();
            if (impostors <= keep || impostors < 1) { return buckets; }
            var ranks = new List<long>();
            foreach (var f in options.FarTargets)
            {
                // The tail holds up to keep keys, fewer when scores tie at its cut.
                long k = Statistics.Budget(f, impostors);
                if (k > 0 && k + 1 > keep / 4) { ranks.Add(k + 1); }
            }

            int size = (int)Math.Min(impostors, 1 << 18);
            var sample = design.SampleImpostorKeys(matrix, size, new Random(options.BootstrapSeed ^ 0x5EED));
            if (sample.Count < 1000) { return buckets; }
            sample.Sort();
            sample.Reverse();
            if (genuine.Count > 0)
            {
                // The EER crossing: the first genuine score where the sampled FAR falls to the FRR.
                var ascending = sample.ToArray();
                Array.Reverse(ascending);
                foreach (var kv in genuine.Distinct())
                {
                    double frr = (double)genuine.CountBelow(kv.Key) / genuine.Count;
                    double far = (double)(ascending.Length - GenuineView.LowerBound(ascending, kv.Key)) / ascending.Length;
                    if (far <= frr)
                    {
                        // The EER looks up the impostor where FAR meets this FRR, or the first one below this genuine score.
                        foreach (var rank in new[] { (long)Math.Ceiling(frr * impostors), (long)Math.Ceiling(far * impostors) + 1 })
                        {
                            if (rank > keep / 4 && rank <= impostors) { ranks.Add(rank); }
                        }

                        break;
                    }
                }
            }

            foreach (var rank in ranks)
            {
                double q = (double)rank / impostors;
                double m = q * sample.Count, spread = 5 * Math.Sqrt(sample.Count * q * (1 - q)) + 3;
                int hi = (int)Math.Max(0, Math.Floor(m - spread)), lo = (int)Math.Min(sample.Count - 1, Math.Ceiling(m + spread));
                int top = ScoreKeys.Bucket(sample[hi]), bottom = ScoreKeys.Bucket(sample[lo]);
                // Each predicted bucket costs 512 KB per worker: a spread too wide to pay for is left to a second pass.
                if (top - bottom >= 24 || buckets.Count + top - bottom + 1 > 48) { continue; }
                for (int b = bottom; b <= top; b++) { buckets.Add(b); }
            }

            return buckets;
        }

        private void ScoreImpostors(PairDesign design, EmbeddingMatrix matrix, ImpostorAccumulator acc, bool refine, IEnumerable<int> predicted = null)
        {
            bool given = design is PairListDesign list && list.HasGivenScores;
            int workers = given ? 1 : Math.Max(1, options.Workers);
            var sinks = acc.CreateSinks(workers, refine, predicted);
            progress.Pairs = new ScoringProgress();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            design.ScoreImpostors(matrix, sinks, progress.Pairs, cancellationToken);
            acc.Merge(sinks);
            clock.Stop();
            long pairs = progress.Pairs.Done;
            string rate = given || matrix == null || clock.Elapsed.TotalSeconds <= 0 ? string.Empty
                : string.Format(CultureInfo.InvariantCulture, ", {0:F1} GFLOP/s", 2.0 * matrix.Dimension * pairs / clock.Elapsed.TotalSeconds / 1e9);
            outcome.Notes.Add(string.Format(CultureInfo.InvariantCulture, "{0}: pass {1} scored {2:N0} pairs in {3:F2} s on {4} thread(s){5}.",
                design.Images.Count > 0 ? design.Images[0].Model : string.Empty, acc.Passes, pairs, clock.Elapsed.TotalSeconds, workers, rate));
        }

        /// <summary>A pair as the hardest-errors lists show it, with the identities the metrics used (an unknown/ probe is its own).</summary>
        private static ScoredPair Scored(PairDesign design, string[] identityNames, int a, int b, double score, bool genuine)
        {
            var x = design.Images[a];
            var y = design.Images[b];
            return new ScoredPair(score, genuine, x.Path, x.RelativePath, identityNames[design.Identity[a]], y.Path, y.RelativePath, identityNames[design.Identity[b]]);
        }

        private void Issue(string model, string problem, string category, string message, object target, bool fatal) =>
            outcome.Issues.Add(new MeasurementIssue(model, problem, category, message, target, fatal));

        private static string[] Names(Dictionary<string, int> identityIndex)
        {
            var names = new string[identityIndex.Count];
            foreach (var kv in identityIndex) { names[kv.Value] = kv.Key; }
            return names;
        }

        private static Dictionary<string, int> IdentityIndex(IEnumerable<string> labels)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var label in labels.Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal)) { index[label] = index.Count; }
            return index;
        }

        private static HashSet<string> CommonKeys(List<ModelRun> runs)
        {
            HashSet<string> common = null;
            foreach (var run in runs)
            {
                var keys = new HashSet<string>(run.Images.Where(e => e.Status == EmbeddingStatus.Success).Select(e => DatasetPaths.NormalizeKey(e.RelativePath)), StringComparer.Ordinal);
                if (common == null) { common = keys; } else { common.IntersectWith(keys); }
            }

            return common ?? new HashSet<string>();
        }

        private static bool[] CommonFlags(List<FaceEmbedding> images, HashSet<string> commonKeys) =>
            images.Select(e => e.Status == EmbeddingStatus.Success && commonKeys.Contains(DatasetPaths.NormalizeKey(e.RelativePath))).ToArray();

        private static string PairKey(FaceComparison c)
        {
            var a = DatasetPaths.NormalizeKey(c.ReferenceRelativePath ?? c.ReferencePath);
            var b = DatasetPaths.NormalizeKey(c.DifferenceRelativePath ?? c.DifferencePath);
            return string.CompareOrdinal(a, b) <= 0 ? a + "\n" + b : b + "\n" + a;
        }

        private static HashSet<string> CommonPairs(List<KeyValuePair<string, List<FaceComparison>>> models)
        {
            HashSet<string> common = null;
            foreach (var model in models)
            {
                var keys = new HashSet<string>(model.Value.Where(c => c.Status == ComparisonStatus.Completed).Select(PairKey), StringComparer.Ordinal);
                if (common == null) { common = keys; } else { common.IntersectWith(keys); }
            }

            return common ?? new HashSet<string>();
        }
    }
}
