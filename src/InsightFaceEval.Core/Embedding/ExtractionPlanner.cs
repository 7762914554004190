using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;

namespace InsightFaceEval.Embedding
{
    /// <summary>What a run would do for one model: requests it would send and results the store (or the run) already has.</summary>
    public sealed class ModelPlan
    {
        public ModelPlan(string model, int toSend, int fromStore)
        {
            Model = model;
            ToSend = toSend;
            FromStore = fromStore;
        }

        public string Model { get; }

        /// <summary>Images that would be uploaded (or embedded locally): one request each, retries aside.</summary>
        public int ToSend { get; }

        /// <summary>Images answered without a request: stored results, and repeats of an image of this run.</summary>
        public int FromStore { get; }

        public override string ToString() => $"{Model}: {ToSend} to send, {FromStore} from the store";
    }

    /// <summary>What a run would do (Get-FaceEmbedding -WhatIf, and the question -Confirm asks), per model.</summary>
    public sealed class ExtractionPlan
    {
        public ExtractionPlan(IReadOnlyList<ModelPlan> models, int images, int notImages, int unreadable)
        {
            Models = models;
            Images = images;
            NotImages = notImages;
            Unreadable = unreadable;
        }

        public IReadOnlyList<ModelPlan> Models { get; }

        /// <summary>Input files that would be sent or served, per model.</summary>
        public int Images { get; }

        /// <summary>Input files that are not images (they would fail with NotAnImage, nothing sent).</summary>
        public int NotImages { get; }

        /// <summary>Input files that cannot be read.</summary>
        public int Unreadable { get; }

        /// <summary>Requests of all models together.</summary>
        public int TotalToSend => Models.Sum(m => m.ToSend);

        /// <summary>
        /// One sentence per model for -WhatIf and -Confirm: how many images go out, how many come from the store, and
        /// the time the requests take at <paramref name="maxRequestsPerSecond"/> (the pace is shared by all models).
        /// </summary>
        public string Describe(ModelPlan model, bool local, double? maxRequestsPerSecond)
        {
            var text = local
                ? string.Format(CultureInfo.InvariantCulture, "Embed {0} image(s) with the local model '{1}'; {2} more come from the store.", model.ToSend, model.Model, model.FromStore)
                : string.Format(CultureInfo.InvariantCulture, "Upload {0} image(s) to the endpoint for model '{1}'; {2} more come from the store.", model.ToSend, model.Model, model.FromStore);
            if (!local && model.ToSend > 0)
            {
                if (maxRequestsPerSecond.HasValue && maxRequestsPerSecond.Value > 0)
                {
                    text += string.Format(CultureInfo.InvariantCulture, " About {0} at -MaximumRequestsPerSecond {1:0.##}",
                        FormatDuration(TimeSpan.FromSeconds(model.ToSend / maxRequestsPerSecond.Value)), maxRequestsPerSecond.Value);
                    text += Models.Count > 1
                        ? string.Format(CultureInfo.InvariantCulture, " (all models: about {0}).", FormatDuration(TimeSpan.FromSeconds(TotalToSend / maxRequestsPerSecond.Value)))
                        : ".";
                }
                else
                {
                    text += " No -MaximumRequestsPerSecond: the time depends on the endpoint's rate limit.";
                }
            }

            var skipped = NotImages + Unreadable;
            if (skipped > 0)
            {
                text += string.Format(CultureInfo.InvariantCulture, " {0} input file(s) are not images or cannot be read and would fail without being sent.", skipped);
            }

            return text;
        }

        /// <summary>"45 s", "12 min", "2.5 h": the precision an estimate deserves.</summary>
        public static string FormatDuration(TimeSpan duration)
        {
            var seconds = duration.TotalSeconds;
            if (seconds < 1) { return "1 s"; }
            if (seconds < 90) { return Math.Ceiling(seconds).ToString("0", CultureInfo.InvariantCulture) + " s"; }
            if (seconds < 90 * 60) { return Math.Ceiling(seconds / 60).ToString("0", CultureInfo.InvariantCulture) + " min"; }
            return (seconds / 3600).ToString("0.#", CultureInfo.InvariantCulture) + " h";
        }
    }

    /// <summary>
    /// Works out what an extraction would do without sending or writing anything: reads each input once (its hash and
    /// its image signature) and the store's index read-only, with the same resume rules as <see cref="ExtractionSession"/>.
    /// </summary>
    public static class ExtractionPlanner
    {
        public static ExtractionPlan Plan(string storeRoot, IReadOnlyList<ExtractionItem> items, ExtractionOptions options, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (items == null) { throw new ArgumentNullException(nameof(items)); }
            if (options == null) { throw new ArgumentNullException(nameof(options)); }
            var store = storeRoot != null && EmbeddingStore.IsStore(storeRoot) ? EmbeddingStore.Open(storeRoot) : null;
            var models = options.Models.Distinct(StringComparer.Ordinal).ToList();
            var indexes = models.ToDictionary(m => m, m => StoredResults.Read(store?.Model(m), options.Force), StringComparer.Ordinal);
            var sent = models.ToDictionary(m => m, m => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
            var toSend = models.ToDictionary(m => m, m => 0, StringComparer.Ordinal);
            var fromStore = models.ToDictionary(m => m, m => 0, StringComparer.Ordinal);
            int images = 0, notImages = 0, unreadable = 0;
            using (var sha256 = SHA256.Create())
            {
                foreach (var item in items)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    byte[] bytes;
                    try
                    {
                        bytes = File.ReadAllBytes(item.Path);
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        unreadable++;
                        continue;
                    }

                    if (!ImageFormats.IsImage(bytes))
                    {
                        notImages++;
                        continue;
                    }

                    images++;
                    var sha = EmbeddingStore.Hex(sha256.ComputeHash(bytes));
                    var key = DatasetPaths.NormalizeKey(item.RelativePath);
                    foreach (var model in models)
                    {
                        if (indexes[model].Serves(key, sha, options.RetryNoFace) || !sent[model].Add(sha)) { fromStore[model]++; }
                        else { toSend[model]++; }
                    }
                }
            }

            return new ExtractionPlan(models.Select(m => new ModelPlan(m, toSend[m], fromStore[m])).ToList(), images, notImages, unreadable);
        }

        /// <summary>A model's index, read-only, and the session's rule for whether a stored record answers an image.</summary>
        private sealed class StoredResults
        {
            private readonly Dictionary<string, StoreRecord> _byPath = new Dictionary<string, StoreRecord>(StringComparer.Ordinal);
            private readonly Dictionary<string, StoreRecord> _bySha = new Dictionary<string, StoreRecord>(StringComparer.Ordinal);
            private readonly string _folder;

            private StoredResults(string folder) => _folder = folder;

            public static StoredResults Read(ModelStore store, bool force)
            {
                var results = new StoredResults(store?.Folder);
                if (store == null || force) { return results; }
                foreach (var record in store.ReadIndex(out _))
                {
                    if (record.Sha256 != null) { results._bySha[record.Sha256] = record; }
                    results._byPath[DatasetPaths.NormalizeKey(record.RelativePath)] = record;
                }

                return results;
            }

            public bool Serves(string key, string sha, bool retryNoFace)
            {
                if (!(_byPath.TryGetValue(key, out var record) && record.Sha256 == sha) && !_bySha.TryGetValue(sha, out record)) { return false; }
                if (record.Status == EmbeddingStatus.NoFace) { return !retryNoFace; }

                // A lost or damaged vector is extracted again; its absence is what a plan can see without reading it.
                return record.EmbeddingFile != null && File.Exists(Path.Combine(_folder, record.EmbeddingFile.Replace('/', Path.DirectorySeparatorChar)));
            }
        }
    }
}
