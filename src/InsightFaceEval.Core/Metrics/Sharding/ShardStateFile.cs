using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using InsightFaceEval.IO;

namespace InsightFaceEval.Metrics.Sharding
{
    /// <summary>Why a file is not a usable shard state.</summary>
    public sealed class ShardStateFormatException : Exception
    {
        public ShardStateFormatException(string problem, string message)
            : base(message)
        {
            Problem = problem;
        }

        /// <summary>ShardStateCorrupt, or ShardStateVersion.</summary>
        public string Problem { get; }
    }

    /// <summary>
    /// The shard state file. Binary, because it holds counts and float bits that must come back exact and there are
    /// many of them (a million genuine scores, tens of thousands of bucket counts, up to millions of tail entries):
    /// text would be several times larger and slower to parse, and would invite rounding. Layout:
    /// <c>IFEVSHRD</c> (8 bytes), format version (int32), body length (int64), the body (a BinaryWriter stream,
    /// Deflate-compressed: sparse counts compress well), and a SHA-256 of every byte before it. A reader refuses a
    /// file with another magic, another version, a short body or a checksum that does not match.
    /// </summary>
    public static class ShardStateFile
    {
        private static readonly byte[] Magic = Encoding.ASCII.GetBytes("IFEVSHRD");

        public static byte[] Serialize(ShardState state)
        {
            byte[] body;
            using (var raw = new MemoryStream())
            {
                using (var deflate = new DeflateStream(raw, CompressionLevel.Fastest, true))
                using (var buffered = new BufferedStream(deflate, 1 << 16))
                using (var w = new BinaryWriter(buffered, Encoding.UTF8, true))
                {
                    WriteBody(w, state);
                }

                body = raw.ToArray();
            }

            using (var file = new MemoryStream())
            {
                using (var w = new BinaryWriter(file, Encoding.UTF8, true))
                {
                    w.Write(Magic);
                    w.Write(ShardState.FormatVersion);
                    w.Write((long)body.Length);
                    w.Write(body);
                }

                using (var sha = SHA256.Create())
                {
                    var hash = sha.ComputeHash(file.GetBuffer(), 0, (int)file.Length);
                    file.Write(hash, 0, hash.Length);
                }

                return file.ToArray();
            }
        }

        /// <summary>Writes the state to <paramref name="path"/> atomically (a half-written state never exists).</summary>
        public static void Write(ShardState state, string path) => AtomicFile.WriteAllBytes(path, Serialize(state), true);

        public static ShardState Read(string path)
        {
            var state = Deserialize(File.ReadAllBytes(path), path);
            state.SourcePath = path;
            return state;
        }

        public static ShardState Deserialize(byte[] bytes, string name)
        {
            if (bytes.Length < Magic.Length + 4 + 8 + 32 || !bytes.Take(Magic.Length).SequenceEqual(Magic))
            {
                throw new ShardStateFormatException("ShardStateCorrupt", $"'{name}' is not a shard state of Measure-FaceVerification (it does not start with the state's signature).");
            }

            int version = BitConverter.ToInt32(bytes, Magic.Length);
            if (version != ShardState.FormatVersion)
            {
                throw new ShardStateFormatException("ShardStateVersion", $"'{name}' is a shard state of format version {version}; this module reads version {ShardState.FormatVersion}. Run every shard with one module version.");
            }

            long length = BitConverter.ToInt64(bytes, Magic.Length + 4);
            int bodyStart = Magic.Length + 12;
            if (length < 0 || bodyStart + length + 32 != bytes.Length)
            {
                throw new ShardStateFormatException("ShardStateCorrupt", $"'{name}' is cut short or has bytes appended ({bytes.Length:N0} bytes, {bodyStart + length + 32:N0} expected): it was not written completely.");
            }

            using (var sha = SHA256.Create())
            {
                var hash = sha.ComputeHash(bytes, 0, bytes.Length - 32);
                if (!hash.SequenceEqual(bytes.Skip(bytes.Length - 32)))
                {
                    throw new ShardStateFormatException("ShardStateCorrupt", $"'{name}' does not match its checksum: it was changed or damaged after it was written.");
                }
            }

            try
            {
                using (var raw = new MemoryStream(bytes, bodyStart, (int)length))
                using (var deflate = new DeflateStream(raw, CompressionMode.Decompress))
                using (var buffered = new BufferedStream(deflate, 1 << 16))
                using (var r = new BinaryReader(buffered, Encoding.UTF8))
                {
                    return ReadBody(r);
                }
            }
            catch (Exception ex) when (ex is EndOfStreamException || ex is InvalidDataException || ex is IOException || ex is OverflowException || ex is ArgumentException)
            {
                throw new ShardStateFormatException("ShardStateCorrupt", $"'{name}' has a valid checksum but a body this module cannot read ({ex.Message}).");
            }
        }

        internal static void WriteSettings(BinaryWriter w, ShardSettings s)
        {
            w.Write(s.FarTargets.Length);
            foreach (var f in s.FarTargets) { w.Write(f); }
            WriteNullable(w, s.Threshold);
            WriteNullable(w, s.OperatingFar);
            w.Write(s.Folds);
            w.Write(s.BootstrapSamples);
            w.Write(s.BootstrapSeed);
            w.Write(s.HardestPairs);
            w.Write(s.HistogramBins);
            w.Write(s.ConfidenceLevel);
            w.Write(s.MaxTailEntries);
        }

        private static ShardSettings ReadSettings(BinaryReader r)
        {
            var s = new ShardSettings { FarTargets = new double[Count(r)] };
            for (int i = 0; i < s.FarTargets.Length; i++) { s.FarTargets[i] = r.ReadDouble(); }
            s.Threshold = ReadNullable(r);
            s.OperatingFar = ReadNullable(r);
            s.Folds = r.ReadInt32();
            s.BootstrapSamples = r.ReadInt32();
            s.BootstrapSeed = r.ReadInt32();
            s.HardestPairs = r.ReadInt32();
            s.HistogramBins = r.ReadInt32();
            s.ConfidenceLevel = r.ReadDouble();
            s.MaxTailEntries = r.ReadInt32();
            return s;
        }

        private static void WriteBody(BinaryWriter w, ShardState s)
        {
            w.Write(s.Index);
            w.Write(s.Count);
            w.Write(s.ModuleVersion ?? string.Empty);
            w.Write(s.DataFingerprint);
            w.Write(s.SettingsFingerprint);
            WriteSettings(w, s.Settings);
            w.Write(s.Protocol.ToString());
            WriteStrings(w, s.IdentityNames);
            w.Write(s.Models.Count);
            foreach (var m in s.Models)
            {
                w.Write(m.Model);
                w.Write(m.ProtocolLabel);
                w.Write(m.Dimension);
                w.Write(m.Design != null);
                if (m.Design != null) { WriteDesign(w, m.Design); }
                w.Write(m.GenuineTotal);
                w.Write(m.GenuineStart);
                w.Write(m.GenuineKeys.Length);
                foreach (var k in m.GenuineKeys) { w.Write(k); }
                w.Write(m.AnchorCount);
                w.Write(m.TailKeep);
                WriteSparse(w, m.Coarse);
                WriteSparse(w, m.Slots);
                w.Write(m.Fine.Count);
                foreach (var kv in m.Fine)
                {
                    w.Write(kv.Key);
                    WriteSparse(w, kv.Value);
                }

                w.Write(m.Tail.Length);
                foreach (var e in m.Tail) { w.Write(e); }
                w.Write(m.TailCut);
                w.Write(m.UnitCount);
                w.Write(m.UnitStart);
                w.Write(m.UnitEnd);
                w.Write(m.Partials.Length);
                foreach (var p in m.Partials) { w.Write(p); }
                foreach (var x in m.Minimum) { w.Write(x); }
                foreach (var x in m.Maximum) { w.Write(x); }
                w.Write(m.OrdinalsTruncated);
                w.Write(m.ScoredPairs);
            }
        }

        private static ShardState ReadBody(BinaryReader r)
        {
            var s = new ShardState
            {
                Index = r.ReadInt32(),
                Count = r.ReadInt32(),
                ModuleVersion = r.ReadString(),
                DataFingerprint = r.ReadBytes(32),
                SettingsFingerprint = r.ReadBytes(32),
                Settings = ReadSettings(r),
                Protocol = (PairProtocol)Enum.Parse(typeof(PairProtocol), r.ReadString()),
                IdentityNames = ReadStrings(r),
            };
            int models = Count(r);
            for (int i = 0; i < models; i++)
            {
                var m = new ModelShard { Model = r.ReadString(), ProtocolLabel = r.ReadString(), Dimension = r.ReadInt32() };
                if (r.ReadBoolean()) { m.Design = ReadDesign(r); }
                m.GenuineTotal = r.ReadInt32();
                m.GenuineStart = r.ReadInt32();
                m.GenuineKeys = new uint[Count(r)];
                for (int k = 0; k < m.GenuineKeys.Length; k++) { m.GenuineKeys[k] = r.ReadUInt32(); }
                m.AnchorCount = r.ReadInt32();
                m.TailKeep = r.ReadInt32();
                m.Coarse = ReadSparse(r);
                m.Slots = ReadSparse(r);
                int fine = Count(r);
                for (int f = 0; f < fine; f++) { m.Fine[r.ReadInt32()] = ReadSparse(r); }
                m.Tail = new ulong[Count(r)];
                for (int t = 0; t < m.Tail.Length; t++) { m.Tail[t] = r.ReadUInt64(); }
                m.TailCut = r.ReadUInt32();
                m.UnitCount = r.ReadInt32();
                m.UnitStart = r.ReadInt32();
                m.UnitEnd = r.ReadInt32();
                m.Partials = new double[Count(r)];
                for (int p = 0; p < m.Partials.Length; p++) { m.Partials[p] = r.ReadDouble(); }
                m.Minimum = new[] { r.ReadSingle(), r.ReadSingle() };
                m.Maximum = new[] { r.ReadSingle(), r.ReadSingle() };
                m.OrdinalsTruncated = r.ReadBoolean();
                m.ScoredPairs = r.ReadInt64();
                s.Models.Add(m);
            }

            return s;
        }

        private static void WriteDesign(BinaryWriter w, DesignTable d)
        {
            w.Write(d.Kind);
            WriteStrings(w, d.Paths);
            WriteStrings(w, d.RelativePaths);
            WriteStrings(w, d.Labels);
            WriteBools(w, d.Failed);
            WriteInts(w, d.Identity);
            WriteBools(w, d.Common);
            WriteBools(w, d.Gallery);
            WriteInts(w, d.Left);
            WriteInts(w, d.Right);
            WriteBools(w, d.Genuine);
        }

        private static DesignTable ReadDesign(BinaryReader r) => new DesignTable
        {
            Kind = r.ReadString(),
            Paths = ReadStrings(r),
            RelativePaths = ReadStrings(r),
            Labels = ReadStrings(r),
            Failed = ReadBools(r),
            Identity = ReadInts(r),
            Common = ReadBools(r),
            Gallery = ReadBools(r),
            Left = ReadInts(r),
            Right = ReadInts(r),
            Genuine = ReadBools(r),
        };

        /// <summary>Only the non-zero counts: most of the 65,536 buckets per fold are empty.</summary>
        private static void WriteSparse(BinaryWriter w, long[] values)
        {
            w.Write(values.Length);
            int nonZero = values.Count(v => v != 0);
            w.Write(nonZero);
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] == 0) { continue; }
                w.Write(i);
                w.Write(values[i]);
            }
        }

        private static long[] ReadSparse(BinaryReader r)
        {
            var values = new long[Count(r)];
            int nonZero = Count(r);
            for (int i = 0; i < nonZero; i++)
            {
                int index = r.ReadInt32();
                if (index < 0 || index >= values.Length) { throw new InvalidDataException("A count lies outside its array."); }
                values[index] = r.ReadInt64();
            }

            return values;
        }

        private static void WriteNullable(BinaryWriter w, double? v)
        {
            w.Write(v.HasValue);
            w.Write(v ?? 0);
        }

        private static double? ReadNullable(BinaryReader r)
        {
            bool has = r.ReadBoolean();
            double v = r.ReadDouble();
            return has ? v : (double?)null;
        }

        /// <summary>Arrays are written with their length, -1 for null; strings with a presence flag.</summary>
        private static void WriteStrings(BinaryWriter w, string[] values)
        {
            w.Write(values?.Length ?? -1);
            if (values == null) { return; }
            foreach (var v in values)
            {
                w.Write(v != null);
                if (v != null) { w.Write(v); }
            }
        }

        private static string[] ReadStrings(BinaryReader r)
        {
            int n = r.ReadInt32();
            if (n < 0) { return null; }
            var values = new string[n];
            for (int i = 0; i < n; i++) { values[i] = r.ReadBoolean() ? r.ReadString() : null; }
            return values;
        }

        private static void WriteInts(BinaryWriter w, int[] values)
        {
            w.Write(values?.Length ?? -1);
            if (values != null) { foreach (var v in values) { w.Write(v); } }
        }

        private static int[] ReadInts(BinaryReader r)
        {
            int n = r.ReadInt32();
            if (n < 0) { return null; }
            var values = new int[n];
            for (int i = 0; i < n; i++) { values[i] = r.ReadInt32(); }
            return values;
        }

        private static void WriteBools(BinaryWriter w, bool[] values)
        {
            w.Write(values?.Length ?? -1);
            if (values != null) { foreach (var v in values) { w.Write(v); } }
        }

        private static bool[] ReadBools(BinaryReader r)
        {
            int n = r.ReadInt32();
            if (n < 0) { return null; }
            var values = new bool[n];
            for (int i = 0; i < n; i++) { values[i] = r.ReadBoolean(); }
            return values;
        }

        private static int Count(BinaryReader r)
        {
            int n = r.ReadInt32();
            if (n < 0 || n > 1 << 30) { throw new InvalidDataException($"An array length of {n} is out of range."); }
            return n;
        }
    }
}
