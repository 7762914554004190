using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Metrics.Sharding;
using Xunit;

namespace InsightFaceEval.Tests.Metrics
{
    public class ShardingTests
    {
        /// <summary>Two models over identities x images, with exact duplicates (ties) and failures to acquire.</summary>
        private static List<KeyValuePair<string, List<FaceEmbedding>>> Data(int seed, int identities = 40, int perIdentity = 8, int dim = 16, bool twoModels = true)
        {
            var rng = new Random(seed);
            var a = new List<FaceEmbedding>();
            var b = new List<FaceEmbedding>();
            for (int id = 0; id < identities; id++)
            {
                var center = Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                float[] previous = null;
                for (int k = 0; k < perIdentity; k++)
                {
                    var v = center.Select(x => x + (float)(rng.NextDouble() - 0.5) * 0.9f).ToArray();
                    if (k == 3) { v = previous; }
                    previous = v;
                    var w = v.Select(x => x + (float)(rng.NextDouble() - 0.5) * 0.7f).ToArray();
                    string rel = $"p{id:D3}/img{k}.png";
                    a.Add(TestData.Embedding("alpha", rel, v, (id * 7 + k) % 13 == 0 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                    b.Add(TestData.Embedding("beta", rel, w, (id * 5 + k) % 17 == 1 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success));
                }
            }

            var groups = new List<KeyValuePair<string, List<FaceEmbedding>>> { new KeyValuePair<string, List<FaceEmbedding>>("alpha", a) };
            if (twoModels) { groups.Add(new KeyValuePair<string, List<FaceEmbedding>>("beta", b)); }
            return groups;
        }

        private static List<PairListEntry> Pairs(int seed, int identities, int perIdentity, int count)
        {
            var rng = new Random(seed);
            var list = new List<PairListEntry>();
            for (int i = 0; i < count; i++)
            {
                int ia = rng.Next(identities), ib = i % 4 == 0 ? ia : rng.Next(identities);
                int ka = rng.Next(perIdentity), kb = (ka + 1 + rng.Next(perIdentity - 1)) % perIdentity;
                list.Add(new PairListEntry($"p{ia:D3}/img{ka}.png", $"p{ib:D3}/img{kb}.png", ia == ib, i + 1));
            }

            return list;
        }

        private static string Json(VerificationOutcome outcome)
        {
            Assert.Empty(outcome.Problems);
            var json = JsonSerializer.Serialize(new { outcome.Results, outcome.Comparisons });
            return System.Text.RegularExpressions.Regex.Replace(json, "\"MeasuredAt\":\"[^\"]*\"", string.Empty);
        }

        private static VerificationOptions Options(int bootstrap, int maxTail = 1 << 23, int workers = 2) =>
            new VerificationOptions { BootstrapSamples = bootstrap, BootstrapSeed = 5, FarTargets = new[] { 0.1, 0.01, 1e-3 }, MaxTailEntries = maxTail, Workers = workers, HardestPairs = 7 };

        /// <summary>Every shard of the data, each written to bytes and read back as the merge would read its file.</summary>
        private static List<ShardState> RunShards(List<KeyValuePair<string, List<FaceEmbedding>>> data, PairProtocol protocol, List<PairListEntry> pairs, int n, Func<VerificationOptions> options)
        {
            var states = new List<ShardState>();
            for (int k = 1; k <= n; k++)
            {
                var outcome = new VerificationEngine(options(), null, CancellationToken.None).MeasureShard(data, protocol, pairs, new ShardSpec(k, n), out var state);
                Assert.Empty(outcome.Results);
                states.Add(ShardStateFile.Deserialize(ShardStateFile.Serialize(state), $"s{k}.state"));
            }

            return states;
        }

        private static VerificationOutcome Merge(IReadOnlyList<ShardState> states)
        {
            var ordered = ShardMerge.Check(states, out var problems);
            Assert.Empty(problems);
            return VerificationEngine.MeasureStates(ordered, 2, null, CancellationToken.None);
        }

        [Theory]
        [InlineData(PairProtocol.AllPairs, 1, 0)]
        [InlineData(PairProtocol.AllPairs, 4, 0)]
        [InlineData(PairProtocol.AllPairs, 7, 60)]
        [InlineData(PairProtocol.GalleryProbe, 3, 60)]
        [InlineData(PairProtocol.PairList, 5, 60)]
        public void MergedShardsEqualOneRunBitForBit(PairProtocol protocol, int shards, int bootstrap)
        {
            var data = Data(11);
            var pairs = protocol == PairProtocol.PairList ? Pairs(3, 40, 8, 20000) : null;
            var whole = Json(new VerificationEngine(Options(bootstrap), null, CancellationToken.None).MeasureEmbeddings(data, protocol, pairs));
            var merged = Json(Merge(RunShards(data, protocol, pairs, shards, () => Options(bootstrap))));
            Assert.Equal(whole, merged);
            Assert.Contains("\"HardestImpostorPairs\":[{", merged);
            if (bootstrap > 0) { Assert.Contains("\"TarLower\":0.", merged); }
        }

        [Fact]
        public void ShardsInAnyOrderAndABoundedTailMergeExactly()
        {
            // 24,000 impostor pairs against a tail of 300: TAR@FAR=0.1 and 0.01 fall below the tail, in buckets the
            // shards count key by key; the merged tails are cut where one run's tail is cut.
            var data = Data(12, identities: 60, perIdentity: 4, twoModels: false);
            var whole = new VerificationEngine(Options(0, maxTail: 300), null, CancellationToken.None).MeasureEmbeddings(data, PairProtocol.AllPairs, null);
            Assert.Contains(whole.Notes, n => n.Contains("pass 1 scored"));
            var states = RunShards(data, PairProtocol.AllPairs, null, 6, () => Options(0, maxTail: 300));
            states.Reverse();
            Assert.Equal(Json(whole), Json(Merge(states)));
        }

        [Fact]
        public void ShardsSplitThePairSpaceEvenly()
        {
            var weights = Scoring.SimilarityKernel.TilePairs(1000, 1000, true);
            long total = weights.Sum();
            Assert.Equal(1000L * 999 / 2, total);
            int covered = 0;
            for (int k = 1; k <= 8; k++)
            {
                var range = new ShardSpec(k, 8).Units(weights);
                Assert.Equal(covered, range.Start);
                covered = range.End;
                long pairs = weights.Skip(range.Start).Take(range.End - range.Start).Sum();
                Assert.InRange(pairs, total / 8 - 64 * 64, total / 8 + 64 * 64);
            }

            Assert.Equal(weights.Length, covered);
            Assert.Equal(3, ShardSpec.Parse(" 3/8", out _).Index);
            foreach (var bad in new[] { "0/8", "9/8", "3", "a/b", "3/8/1", "-1/2" })
            {
                Assert.Null(ShardSpec.Parse(bad, out var error));
                Assert.Contains(bad, error);
            }
        }

        private static List<ShardState> Small(int n, Func<VerificationOptions> options = null, int seed = 21) =>
            RunShards(Data(seed, identities: 12, perIdentity: 4, twoModels: false), PairProtocol.AllPairs, null, n, options ?? (() => Options(20)));

        private static Problem Single(IReadOnlyList<ShardState> states)
        {
            Assert.Null(ShardMerge.Check(states, out var problems));
            var problem = Assert.Single(problems);
            Assert.True(problem.Terminating);
            return problem;
        }

        [Fact]
        public void AMissingShardIsNamed()
        {
            var states = Small(4);
            states.RemoveAt(2);
            var p = Single(states);
            Assert.Equal("ShardStateMissing", p.Id);
            Assert.Equal(ProblemCategory.ObjectNotFound, p.Category);
            Assert.Contains("shard 3/4 is missing", p.Message);
        }

        [Fact]
        public void ADuplicatedShardIsNamed()
        {
            var states = Small(3);
            var copy = ShardStateFile.Deserialize(ShardStateFile.Serialize(states[1]), "again.state");
            copy.SourcePath = "again.state";
            states[1].SourcePath = "two.state";
            states.Add(copy);
            var p = Single(states);
            Assert.Equal("ShardStateDuplicate", p.Id);
            Assert.Equal(ProblemCategory.InvalidArgument, p.Category);
            Assert.Contains("Shard 2/3 is given 2 times", p.Message);
            Assert.Contains("'again.state'", p.Message);
            Assert.Equal("again.state", p.Target);
        }

        [Fact]
        public void ForeignShardsAreNamedWithWhatDiffers()
        {
            var states = Small(3);
            foreach (var s in states) { s.SourcePath = $"run{s.Index}.state"; }

            // Another shard count.
            var other = Small(4)[3];
            other.SourcePath = "four.state";
            var p = Single(new[] { states[0], states[1], other });
            Assert.Equal("ShardStateForeign", p.Id);
            Assert.Equal(ProblemCategory.InvalidData, p.Category);
            Assert.Contains("'four.state'", p.Message);
            Assert.Contains("shard 4 of 4", p.Message);

            // Other data (one vector differs).
            var otherData = Small(3, seed: 22)[2];
            otherData.SourcePath = "data.state";
            p = Single(new[] { states[0], states[1], otherData });
            Assert.Contains("'data.state'", p.Message);
            Assert.Contains("other data", p.Message);

            // Other settings (another bootstrap seed).
            var otherSettings = Small(3, () => { var o = Options(20); o.BootstrapSeed = 6; return o; })[2];
            otherSettings.SourcePath = "seed.state";
            p = Single(new[] { states[0], states[1], otherSettings });
            Assert.Contains("'seed.state'", p.Message);
            Assert.Contains("other settings", p.Message);
        }

        [Fact]
        public void DamagedOrUnknownFilesAreRefusedByName()
        {
            var bytes = ShardStateFile.Serialize(Small(2)[0]);
            var dir = Path.Combine(Path.GetTempPath(), "ife-shards-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var damaged = (byte[])bytes.Clone();
                damaged[damaged.Length / 2] ^= 0x40;
                var version = (byte[])bytes.Clone();
                version[8] = 9;
                var files = new Dictionary<string, byte[]>
                {
                    ["damaged.state"] = damaged,
                    ["short.state"] = bytes.Take(bytes.Length - 10).ToArray(),
                    ["text.state"] = System.Text.Encoding.UTF8.GetBytes("not a state at all, just some text to read"),
                    ["version.state"] = version,
                };
                foreach (var f in files)
                {
                    var path = Path.Combine(dir, f.Key);
                    File.WriteAllBytes(path, f.Value);
                    Assert.Null(ShardMerge.Load(new[] { path }, out var problems));
                    var p = Assert.Single(problems);
                    Assert.Equal(f.Key == "version.state" ? "ShardStateVersion" : "ShardStateCorrupt", p.Id);
                    Assert.Equal(path, p.Target);
                    Assert.Contains(path, p.Message);
                    Assert.IsType<InvalidDataException>(p.Exception);
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void AnOrderStatisticNoShardCountedIsAnErrorNotAGuess()
        {
            // A tail of 300 against 28,000 impostor pairs: TAR@FAR=0.1 lies below the tail, in a bucket the shards count
            // key by key. Without those counts the merge must refuse rather than read a neighbouring score.
            Func<VerificationOptions> options = () => Options(0, maxTail: 300);
            var states = RunShards(Data(12, identities: 60, perIdentity: 4, twoModels: false), PairProtocol.AllPairs, null, 2, options);
            foreach (var s in states) { s.Models[0].Fine.Clear(); }
            var outcome = Merge(states);
            Assert.Empty(outcome.Results);
            var issue = Assert.Single(outcome.Problems);
            Assert.Equal("ShardStateUnresolved", issue.Id);
            Assert.True(issue.ModelFailed);
            Assert.Contains("Model 'alpha'", issue.Message);
        }
    }
}
