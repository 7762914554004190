using System.Collections.Generic;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>
    /// What one shard run hands to the merge (written by <see cref="ShardStateFile"/>): for each model, the exact
    /// counts of its impostor scores by float bits (coarse buckets per fold and subset, counts at every anchor, every
    /// key of the predicted buckets), the highest impostor scores with their pair ordinals, per-unit sums, its slice of
    /// the genuine scores; shard 1 also carries the pair design (images, identities, failures, pairs) the merge rebuilds
    /// the bootstrap's per-identity aggregates and the hardest pairs from. Every part merges by addition,
    /// concatenation or union, so N states merge into exactly what one run over every pair counts.
    /// </summary>
    public sealed class ShardState
    {
        /// <summary>The state format's version; a reader refuses any other.</summary>
        public const int FormatVersion = 1;

        public int Index { get; set; }

        public int Count { get; set; }

        public string ModuleVersion { get; set; }

        /// <summary>SHA-256 of the measured data: models, images (relative paths, identities, failures), vectors, pairs.</summary>
        public byte[] DataFingerprint { get; set; }

        /// <summary>SHA-256 of the settings that shape the state and the result.</summary>
        public byte[] SettingsFingerprint { get; set; }

        public ShardSettings Settings { get; set; }

        public PairProtocol Protocol { get; set; }

        /// <summary>Identity names by index, shared by every model.</summary>
        public string[] IdentityNames { get; set; }

        public List<ModelShard> Models { get; } = new List<ModelShard>();

        /// <summary>Where the state was read from (not stored).</summary>
        public string SourcePath { get; set; }

        public string Name => string.IsNullOrEmpty(SourcePath) ? "shard " + Index + "/" + Count : "'" + SourcePath + "'";
    }

    /// <summary>The measurement settings a state was made with; the merge measures with them.</summary>
    public sealed class ShardSettings
    {
        public double[] FarTargets { get; set; }

        public double? Threshold { get; set; }

        public double? OperatingFar { get; set; }

        public int Folds { get; set; }

        public int BootstrapSamples { get; set; }

        public int BootstrapSeed { get; set; }

        public int HardestPairs { get; set; }

        public int HistogramBins { get; set; }

        public double ConfidenceLevel { get; set; }

        public int MaxTailEntries { get; set; }

        public static ShardSettings From(VerificationOptions o) => new ShardSettings
        {
            FarTargets = (double[])o.FarTargets.Clone(),
            Threshold = o.Threshold,
            OperatingFar = o.OperatingFar,
            Folds = o.Folds,
            BootstrapSamples = o.BootstrapSamples,
            BootstrapSeed = o.BootstrapSeed,
            HardestPairs = o.HardestPairs,
            HistogramBins = o.HistogramBins,
            ConfidenceLevel = o.ConfidenceLevel,
            MaxTailEntries = o.MaxTailEntries,
        };

        /// <summary>Options equal to the shard runs' (the caller picks the worker count).</summary>
        public VerificationOptions ToOptions(int workers) => new VerificationOptions
        {
            FarTargets = (double[])FarTargets.Clone(),
            Threshold = Threshold,
            OperatingFar = OperatingFar,
            Folds = Folds,
            BootstrapSamples = BootstrapSamples,
            BootstrapSeed = BootstrapSeed,
            HardestPairs = HardestPairs,
            HistogramBins = HistogramBins,
            ConfidenceLevel = ConfidenceLevel,
            MaxTailEntries = MaxTailEntries,
            Workers = workers,
        };
    }

    /// <summary>One model's part of a shard.</summary>
    public sealed class ModelShard
    {
        public string Model { get; set; }

        /// <summary>The protocol as the result names it.</summary>
        public string ProtocolLabel { get; set; }

        public int Dimension { get; set; }

        /// <summary>Shard 1 only: the pair design.</summary>
        public DesignTable Design { get; set; }

        /// <summary>Genuine pairs of the model (in the design's enumeration order), and this shard's slice [GenuineStart, GenuineStart + GenuineKeys.Length).</summary>
        public int GenuineTotal { get; set; }

        public int GenuineStart { get; set; }

        public uint[] GenuineKeys { get; set; }

        /// <summary>Anchor keys the counts are slotted at (derived from all genuine scores; equal in every shard).</summary>
        public int AnchorCount { get; set; }

        /// <summary>The tail length every shard keeps (set from the whole design, so equal in every shard).</summary>
        public int TailKeep { get; set; }

        public long[] Coarse { get; set; }

        public long[] Slots { get; set; }

        /// <summary>Every key of these buckets: bucket → counts [subset * 65,536 + low 16 bits].</summary>
        public SortedDictionary<int, long[]> Fine { get; } = new SortedDictionary<int, long[]>();

        /// <summary>The shard's highest impostor entries (key, subset, ordinal), highest first; every key above <see cref="TailCut"/> is here.</summary>
        public ulong[] Tail { get; set; }

        public uint TailCut { get; set; }

        /// <summary>Work units in the whole schedule, and this shard's [UnitStart, UnitEnd).</summary>
        public int UnitCount { get; set; }

        public int UnitStart { get; set; }

        public int UnitEnd { get; set; }

        /// <summary>Per unit of this shard: sum and sum of squares of each subset (4 doubles).</summary>
        public double[] Partials { get; set; }

        public float[] Minimum { get; set; }

        public float[] Maximum { get; set; }

        public bool OrdinalsTruncated { get; set; }

        /// <summary>Impostor pairs this shard scored.</summary>
        public long ScoredPairs { get; set; }
    }

    /// <summary>A model's pair design as the merge rebuilds it (no vectors: the scores are in the states).</summary>
    public sealed class DesignTable
    {
        /// <summary>AllPairs, GalleryProbe or PairList.</summary>
        public string Kind { get; set; }

        public string[] Paths { get; set; }

        public string[] RelativePaths { get; set; }

        public string[] Labels { get; set; }

        public bool[] Failed { get; set; }

        public int[] Identity { get; set; }

        public bool[] Common { get; set; }

        /// <summary>GalleryProbe: whether each image is in the gallery.</summary>
        public bool[] Gallery { get; set; }

        /// <summary>PairList: the pairs (image indices) and labels.</summary>
        public int[] Left { get; set; }

        public int[] Right { get; set; }

        public bool[] Genuine { get; set; }
    }
}
