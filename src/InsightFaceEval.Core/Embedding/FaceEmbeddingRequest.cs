using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The input side of one extraction run as a cmdlet fills it from its parameters (paths already resolved): which
    /// models, where the store and the dataset are, how each file becomes an item (its dataset key and identity), and
    /// the run's options. The cmdlet binds, resolves paths and writes; the rules live here.
    /// </summary>
    public sealed class FaceEmbeddingRequest
    {
        /// <summary>Model names as given; for local models optional (one per model file).</summary>
        public IReadOnlyList<string> Models { get; set; }

        /// <summary>Local recognition models (full paths), or null to use the endpoint.</summary>
        public IReadOnlyList<string> ModelPaths { get; set; }

        /// <summary>The embedding store's folder (full path).</summary>
        public string StoreRoot { get; set; }

        /// <summary>The dataset's root folder (full path) for keys of inputs that carry none, or null.</summary>
        public string DatasetRoot { get; set; }

        /// <summary>Where identities come from when given (path,identity rows), or null.</summary>
        public IdentityMap IdentityMap { get; set; }

        /// <summary>Requests (or local embeddings) at once when given; null for the default.</summary>
        public int? ThrottleLimit { get; set; }

        /// <summary>The cores a local run may use by default.</summary>
        public int ProcessorCount { get; set; } = Environment.ProcessorCount;

        public double? MaxRequestsPerSecond { get; set; }

        public int MaximumRetryCount { get; set; } = 5;

        public TimeSpan MaximumRetryAfter { get; set; } = TimeSpan.FromSeconds(120);

        public bool Force { get; set; }

        public bool RetryNoFace { get; set; }

        public bool SendFileName { get; set; }

        /// <summary>Refuse local crops with several faces (applies to local models only).</summary>
        public bool RequireOneFace { get; set; }

        /// <summary>The pixel preset of local models (insightface or faceplugin).</summary>
        public string NormalizationPreset { get; set; }

        /// <summary>A custom mean when given; the preset's otherwise.</summary>
        public float? InputMean { get; set; }

        /// <summary>A custom standard deviation when given; the preset's otherwise.</summary>
        public float? InputStd { get; set; }

        /// <summary>A custom channel order when given; the preset's otherwise.</summary>
        public ChannelOrder? ChannelOrder { get; set; }

        /// <summary>True for local models, false for the endpoint.</summary>
        public bool UsesLocalModels => ModelPaths != null;

        /// <summary>
        /// Names of endpoint models that differ only in case (on Windows, where they would share a store folder), as
        /// a problem whose target is the list; null when there is none. Local models are checked when they open.
        /// </summary>
        public Problem CheckModelNames()
        {
            if (UsesLocalModels) { return null; }
            var conflict = ModelNames.CaseConflict(Models, PathStyle.Current.Comparer);
            return conflict == null ? null : new Problem("ModelNameCaseConflict", ProblemCategory.InvalidArgument, new ArgumentException(conflict), Models);
        }

        /// <summary>True when local models are named one name per model file (or not named at all).</summary>
        public bool ModelNamesMatchModelPaths => !UsesLocalModels || Models == null || Models.Count == ModelPaths.Count;

        /// <summary>The names the models are stored under: as given, else (local models) each file's name without its extension.</summary>
        public IReadOnlyList<string> StoredModelNames()
        {
            if (UsesLocalModels && Models == null)
            {
                return ModelPaths.Select(p => Path.GetFileNameWithoutExtension(p)).ToArray();
            }

            return (Models ?? Array.Empty<string>()).ToArray();
        }

        /// <summary>As given, else 4 for an endpoint and one per core for local models.</summary>
        public int EffectiveThrottleLimit => ThrottleLimit ?? (UsesLocalModels ? Math.Max(1, ProcessorCount) : 4);

        /// <summary>
        /// The local models' pixel normalisation (null when nothing is given: the model's graph decides): the preset, with whatever of mean, standard deviation and channel
        /// order is given replacing the preset's (so a custom standard deviation alone changes one number).
        /// </summary>
        public PixelNormalization Normalization()
        {
            // Nothing given at all: null, so InsightFace's rule for the model's graph decides (raw pixels when the
            // graph normalises its own input, else mean/std 127.5).
            if (NormalizationPreset == null && !InputMean.HasValue && !InputStd.HasValue && !ChannelOrder.HasValue) { return null; }
            var preset = PixelNormalization.FromPreset(NormalizationPreset ?? PixelNormalization.InsightFacePreset);
            if (!InputMean.HasValue && !InputStd.HasValue && !ChannelOrder.HasValue) { return preset; }
            return new PixelNormalization(PixelNormalization.CustomPreset, InputMean ?? preset.Mean, InputStd ?? preset.Std, ChannelOrder ?? preset.Order);
        }

        /// <summary>The session's options for <paramref name="models"/> (the names the user accepted).</summary>
        public ExtractionOptions Options(IReadOnlyList<string> models) => new ExtractionOptions
        {
            Models = models.Distinct(StringComparer.Ordinal).ToArray(),
            ThrottleLimit = EffectiveThrottleLimit,
            MaxRequestsPerSecond = MaxRequestsPerSecond,
            MaximumRetryCount = MaximumRetryCount,
            MaximumRetryAfter = MaximumRetryAfter,
            Force = Force,
            RetryNoFace = RetryNoFace,
            SendFileName = SendFileName,
            RequireOneFace = UsesLocalModels && RequireOneFace,
        };

        /// <summary>
        /// What to do with one input file: skip it (it is part of the store), report that the identity map has no row
        /// for it, or embed it under its dataset key and identity.
        /// </summary>
        /// <param name="file">The file's full path.</param>
        /// <param name="filesInRecord">How many files the input record that named it expanded to.</param>
        /// <param name="carriedKey">The dataset key the input record carried (FaceCrop.RelativePath), or null.</param>
        /// <param name="carriedIdentity">The identity the input record carried, or null.</param>
        public PreparedInput Prepare(string file, int filesInRecord, string carriedKey, string carriedIdentity)
        {
            if (StoreRoot != null && DatasetPaths.IsUnder(file, StoreRoot))
            {
                // Get-ChildItem -Recurse over a folder that holds the store would otherwise upload our own files.
                return PreparedInput.Skipped($"Skipping '{file}': it is inside the embedding store.");
            }

            var key = RelativeKey(file, filesInRecord, carriedKey);
            var identity = string.IsNullOrEmpty(carriedIdentity) ? DatasetPaths.IdentityOf(file) : carriedIdentity;
            if (IdentityMap != null && (identity = IdentityMap.Find(file, key)) == null)
            {
                return PreparedInput.NotMapped(key);
            }

            return PreparedInput.For(new ExtractionItem(file, key, identity));
        }

        /// <summary>
        /// The dataset key of a file: the key its input carried (when the record named this one file), else its path
        /// under the dataset root, else "parent/name".
        /// </summary>
        public string RelativeKey(string file, int filesInRecord, string carriedKey)
        {
            // A key carried by the input names one file; a wildcard that expands to several cannot share it.
            if (!string.IsNullOrEmpty(carriedKey) && filesInRecord == 1) { return DatasetPaths.NormalizeKey(carriedKey); }
            if (DatasetRoot != null && DatasetPaths.IsUnder(file, DatasetRoot)) { return DatasetPaths.Relative(DatasetRoot, file); }
            var parent = DatasetPaths.IdentityOf(file);
            var name = Path.GetFileName(file);
            return string.IsNullOrEmpty(parent) ? name : parent + "/" + name;
        }
    }

    /// <summary>What <see cref="FaceEmbeddingRequest.Prepare"/> made of one input file.</summary>
    public sealed class PreparedInput
    {
        private PreparedInput(ExtractionItem item, string skipReason, string unmappedKey)
        {
            Item = item;
            SkipReason = skipReason;
            UnmappedKey = unmappedKey;
        }

        /// <summary>The item to embed, or null when the file is skipped or not mapped.</summary>
        public ExtractionItem Item { get; }

        /// <summary>Why the file is left out (a verbose message), or null.</summary>
        public string SkipReason { get; }

        /// <summary>The dataset key the identity map has no row for, or null.</summary>
        public string UnmappedKey { get; }

        public static PreparedInput For(ExtractionItem item) => new PreparedInput(item, null, null);

        public static PreparedInput Skipped(string reason) => new PreparedInput(null, reason, null);

        public static PreparedInput NotMapped(string key) => new PreparedInput(null, null, key);
    }
}
