using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>
    /// Moves a model's scoring state between the engine's types and a <see cref="ModelShard"/>: what a shard keeps
    /// after its pass, how the merge puts N of them back into one accumulator, and how it rebuilds the pair design.
    /// </summary>
    public static class ShardCapture
    {
        /// <summary>The shard's part of one model's state after its scoring pass.</summary>
        public static ModelShard Capture(string model, string protocolLabel, int dimension, PairDesign design, IReadOnlyList<GenuineRecord> genuine,
            ImpostorAccumulator acc, ShardSpec shard, int tailKeep, UnitRange units, int unitCount, long scoredPairs)
        {
            shard.Slice(genuine.Count, out var start, out var end);
            var result = new ModelShard
            {
                Model = model,
                ProtocolLabel = protocolLabel,
                Dimension = dimension,
                Design = shard.Index == 1 ? Table(design) : null,
                GenuineTotal = genuine.Count,
                GenuineStart = start,
                GenuineKeys = Enumerable.Range(start, end - start).Select(i => genuine[i].Key).ToArray(),
                AnchorCount = acc.Anchors.Length,
                TailKeep = tailKeep,
                Coarse = (long[])acc.Coarse.Clone(),
                Slots = (long[])acc.Slots.Clone(),
                Tail = acc.Tail.Entries == null ? Array.Empty<ulong>() : acc.Tail.Entries.Take(acc.Tail.Count).ToArray(),
                TailCut = acc.Tail.Cut,
                UnitCount = unitCount,
                UnitStart = Math.Min(units.Start, unitCount),
                UnitEnd = Math.Min(units.End, unitCount),
                Minimum = (float[])acc.Min.Clone(),
                Maximum = (float[])acc.Max.Clone(),
                OrdinalsTruncated = acc.OrdinalsTruncated,
                ScoredPairs = scoredPairs,
            };
            result.Partials = new double[(result.UnitEnd - result.UnitStart) * 4];
            if (acc.Partials != null) { Array.Copy(acc.Partials, result.UnitStart * 4, result.Partials, 0, Math.Min(result.Partials.Length, Math.Max(0, acc.Partials.Length - result.UnitStart * 4))); }
            foreach (var kv in acc.Fine) { result.Fine[kv.Key] = (long[])kv.Value.Clone(); }
            return result;
        }

        /// <summary>Puts the shards' counts (every shard of one model, in shard order) into a fresh accumulator.</summary>
        public static void Restore(ImpostorAccumulator acc, IReadOnlyList<ModelShard> shards)
        {
            int units = shards[0].UnitCount;
            acc.EnsurePartials(units);
            foreach (var s in shards)
            {
                if (s.AnchorCount != acc.Anchors.Length || s.Coarse.Length != acc.Coarse.Length || s.Slots.Length != acc.Slots.Length)
                {
                    throw new InvalidDataException($"Shard state of '{s.Model}' was counted at {s.AnchorCount} anchors over {s.Coarse.Length} buckets, not the {acc.Anchors.Length} anchors over {acc.Coarse.Length} buckets its genuine scores give.");
                }

                for (int i = 0; i < s.Coarse.Length; i++) { acc.Coarse[i] += s.Coarse[i]; }
                for (int i = 0; i < s.Slots.Length; i++) { acc.Slots[i] += s.Slots[i]; }
                foreach (var kv in s.Fine)
                {
                    if (!acc.Fine.TryGetValue(kv.Key, out var counts)) { acc.Fine[kv.Key] = counts = new long[kv.Value.Length]; }
                    for (int i = 0; i < counts.Length; i++) { counts[i] += kv.Value[i]; }
                }

                Array.Copy(s.Partials, 0, acc.Partials, s.UnitStart * 4, s.Partials.Length);
                for (int k = 0; k < 2; k++)
                {
                    acc.Min[k] = Math.Min(acc.Min[k], s.Minimum[k]);
                    acc.Max[k] = Math.Max(acc.Max[k], s.Maximum[k]);
                }

                if (s.OrdinalsTruncated) { acc.OrdinalsTruncated = true; }
            }

            acc.Tail.Restore(shards.Select(s => s.Tail), shards.Max(s => s.TailCut));
            acc.Tail.Finish();
            acc.Passes = 1;
        }

        /// <summary>The genuine scores of every shard, in the design's enumeration order.</summary>
        public static uint[] GenuineKeys(IReadOnlyList<ModelShard> shards) => shards.SelectMany(s => s.GenuineKeys).ToArray();

        private static DesignTable Table(PairDesign design)
        {
            int n = design.Images.Count;
            var table = new DesignTable
            {
                Kind = design is AllPairsDesign ? "AllPairs" : design is GalleryProbeDesign ? "GalleryProbe" : "PairList",
                Paths = design.Images.Select(e => e.Path).ToArray(),
                RelativePaths = design.Images.Select(e => e.RelativePath).ToArray(),
                Labels = design.Images.Select(e => e.Identity).ToArray(),
                Failed = design.Images.Select(e => e.Status != EmbeddingStatus.Success).ToArray(),
                Identity = (int[])design.Identity.Clone(),
                Common = (bool[])design.Common.Clone(),
            };
            if (design is GalleryProbeDesign cross)
            {
                table.Gallery = new bool[n];
                foreach (var g in cross.Gallery) { table.Gallery[g] = true; }
            }
            else if (design is PairListDesign list)
            {
                if (list.HasGivenScores) { throw new NotSupportedException("Pairs scored elsewhere (comparison input) cannot be sharded: shard the embeddings."); }
                int pairs = (int)list.PairCount;
                table.Left = new int[pairs];
                table.Right = new int[pairs];
                table.Genuine = new bool[pairs];
                for (int p = 0; p < pairs; p++)
                {
                    list.PairAt(p, out var a, out var b);
                    table.Left[p] = a;
                    table.Right[p] = b;
                    table.Genuine[p] = list.IsGenuinePair(p);
                }
            }

            return table;
        }

        /// <summary>The pair design a state describes, and its images (without vectors).</summary>
        public static PairDesign Rebuild(DesignTable table, string model, int folds)
        {
            int n = table.RelativePaths.Length;
            var images = new List<FaceEmbedding>(n);
            for (int i = 0; i < n; i++)
            {
                images.Add(new FaceEmbedding(table.Paths[i] ?? table.RelativePaths[i], table.RelativePaths[i], table.Labels[i], model, null,
                    table.Failed[i] ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false));
            }

            var identity = (int[])table.Identity.Clone();
            var common = (bool[])table.Common.Clone();
            switch (table.Kind)
            {
                case "AllPairs": return new AllPairsDesign(images, identity, common, folds);
                case "GalleryProbe": return new GalleryProbeDesign(images, identity, common, table.Gallery, folds);
                case "PairList": return new PairListDesign("PairList", images, identity, common, table.Left, table.Right, table.Genuine, null, null, null, folds);
                default: throw new InvalidDataException($"Unknown pair design '{table.Kind}' in a shard state.");
            }
        }

        /// <summary>
        /// SHA-256 of what the shards must agree on: each model's name, protocol, dimension and design (relative
        /// paths, identity labels, failures, common flags, pairs) and every vector's float bits. Absolute paths are
        /// left out: shards may run on machines that mount the data elsewhere.
        /// </summary>
        public static byte[] DataFingerprint(PairProtocol protocol, string[] identityNames, IEnumerable<KeyValuePair<string, PairDesign>> models, Func<string, int> dimensionOf)
        {
            using (var sha = SHA256.Create())
            using (var stream = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write))
            using (var w = new BinaryWriter(stream, Encoding.UTF8))
            {
                w.Write("InsightFaceEval shard data v1");
                w.Write(protocol.ToString());
                w.Write(identityNames.Length);
                foreach (var name in identityNames) { w.Write(name ?? string.Empty); }
                foreach (var model in models)
                {
                    var d = model.Value;
                    var t = Table(d);
                    w.Write(model.Key);
                    w.Write(d.Protocol);
                    w.Write(dimensionOf(model.Key));
                    w.Write(t.Kind);
                    w.Write(d.Images.Count);
                    for (int i = 0; i < d.Images.Count; i++)
                    {
                        w.Write(DatasetPaths.NormalizeKey(t.RelativePaths[i]));
                        w.Write(t.Labels[i] != null);
                        w.Write(t.Labels[i] ?? string.Empty);
                        w.Write(t.Failed[i]);
                        w.Write(t.Identity[i]);
                        w.Write(t.Common[i]);
                        w.Write(t.Gallery != null && t.Gallery[i]);
                        var v = d.Images[i].Vector ?? Array.Empty<float>();
                        w.Write(v.Length);
                        foreach (var x in v) { w.Write(x); }
                    }

                    int pairs = t.Left?.Length ?? 0;
                    w.Write(pairs);
                    for (int p = 0; p < pairs; p++)
                    {
                        w.Write(t.Left[p]);
                        w.Write(t.Right[p]);
                        w.Write(t.Genuine[p]);
                    }
                }

                w.Flush();
                stream.FlushFinalBlock();
                return sha.Hash;
            }
        }

        /// <summary>SHA-256 of the settings: shards made with other targets, folds, bootstrap or tail settings count differently.</summary>
        public static byte[] SettingsFingerprint(ShardSettings s)
        {
            using (var sha = SHA256.Create())
            using (var stream = new MemoryStream())
            using (var w = new BinaryWriter(stream, Encoding.UTF8))
            {
                ShardStateFile.WriteSettings(w, s);
                w.Flush();
                return sha.ComputeHash(stream.ToArray());
            }
        }
    }
}
