using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Scoring;
using InsightFaceEval.Subgroups;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class SubgroupTests
    {
        private static readonly string[] Metadata = { "identity,sex,camera", "a1,A,x", "a2,A,y", "b1,B,x", "b2,B,", "zz,C,x" };

        /// <summary>
        /// Two groups of two people (and c1, whom the metadata does not list). Genuine: A 0.9, 0.35; B 0.8, 0.7, 0.3; c1 0.1.
        /// Impostors: within A 0.6, 0.2, 0.15, 0.05; within B 0.35, 0.3, 0.1, -0.1; between A and B 0.65, 0.4, 0.0, -0.2.
        /// </summary>
        private static PairListDesign HandWorked()
        {
            var images = new List<FaceEmbedding>();
            var index = new Dictionary<string, int>();
            int Image(string name)
            {
                if (!index.TryGetValue(name, out var i))
                {
                    i = images.Count;
                    index[name] = i;
                    images.Add(new FaceEmbedding("/d/" + name, name, name.Split('/')[0], "m", new[] { 1f }, EmbeddingStatus.Success, null, null, TimeSpan.Zero, false));
                }

                return i;
            }

            var pairs = new (string, string, bool, float)[]
            {
                ("a1/1", "a1/2", true, 0.9f), ("a2/1", "a2/2", true, 0.35f),
                ("b1/1", "b1/2", true, 0.8f), ("b2/1", "b2/2", true, 0.7f), ("b2/1", "b2/3", true, 0.3f),
                ("c1/1", "c1/2", true, 0.1f),
                ("a1/1", "a2/1", false, 0.6f), ("a1/2", "a2/2", false, 0.2f), ("a1/1", "a2/2", false, 0.15f), ("a1/2", "a2/1", false, 0.05f),
                ("b1/1", "b2/1", false, 0.35f), ("b1/2", "b2/2", false, 0.3f), ("b1/1", "b2/3", false, 0.1f), ("b1/2", "b2/1", false, -0.1f),
                ("a1/1", "b1/1", false, 0.65f), ("a2/2", "b1/2", false, 0.4f), ("a2/1", "b2/1", false, 0.0f), ("a1/2", "b2/2", false, -0.2f),
            };
            var left = pairs.Select(p => Image(p.Item1)).ToArray();
            var right = pairs.Select(p => Image(p.Item2)).ToArray();
            var names = images.Select(e => e.Identity).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
            return new PairListDesign("Test", images, images.Select(e => names.IndexOf(e.Identity)).ToArray(), new bool[images.Count], left, right,
                pairs.Select(p => p.Item3).ToArray(), pairs.Select(p => p.Item4).ToArray(), pairs.Select(_ => true).ToArray(), pairs.Select(_ => true).ToArray(), 2);
        }

        /// <summary>All 12 impostors at FAR 0.25: k = 3, the 4th highest is 0.35, so the global threshold is the float just above 0.35.</summary>
        private static TarAtFar Global() =>
            new TarAtFar(0.25, true, 3, 1.0 / 12, 4.0 / 6, ScoreKeys.Value(ScoreKeys.Key(0.35f) + 1), 3.0 / 12, 3, 4, null, null);

        private static SubgroupAnalysis Analyse(string column = "sex", int samples = 1000)
        {
            var design = HandWorked();
            var names = design.Images.Select(e => e.Identity).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var request = new SubgroupRequest { Metadata = SubgroupMetadata.Parse(Metadata, "meta.csv", StringComparer.Ordinal), GroupBy = column, TargetFar = 0.25, BootstrapSamples = samples };
            return SubgroupCalculator.Analyse("m", design, null, names, Global(), request, CancellationToken.None);
        }

        [Fact]
        public void PerGroupFnmrAtTheGlobalThresholdAndTheWorstToBestRatio()
        {
            var s = Analyse();
            Assert.Equal(new[] { "A", "B" }, s.Groups.Select(g => g.Group));
            var a = s.Groups[0];
            var b = s.Groups[1];
            Assert.Equal(2, a.GenuinePairs);
            Assert.Equal(1, a.FalseNonMatches); // 0.35 is below the threshold just above 0.35
            Assert.Equal(0.5, a.Fnmr);
            Assert.Equal(3, b.GenuinePairs);
            Assert.Equal(1, b.FalseNonMatches);
            Assert.Equal(1.0 / 3, b.Fnmr.Value, 12);
            Assert.Equal(1.5, s.FnmrRatio.Value, 12);
            Assert.Equal("A", s.WorstFnmrGroup);
            Assert.Equal("B", s.BestFnmrGroup);
            Assert.Equal(2, s.UngroupedImages); // c1's two images
            Assert.Equal(2, a.Identities);
            Assert.Equal(4, a.Images);
        }

        [Fact]
        public void CrossGroupFmrMatrixAtTheGlobalThreshold()
        {
            var s = Analyse();
            Assert.Equal(3, s.FmrMatrix.Length);
            var aa = s.Cell("A", "A");
            var bb = s.Cell("B", "B");
            var ab = s.Cell("B", "A");
            Assert.Equal((4L, 1L), (aa.ImpostorPairs, aa.FalseMatches)); // 0.6
            Assert.Equal((4L, 0L), (bb.ImpostorPairs, bb.FalseMatches)); // 0.35 is below the threshold
            Assert.Equal((4L, 2L), (ab.ImpostorPairs, ab.FalseMatches)); // 0.65, 0.4
            Assert.Equal(0.5, ab.Fmr);
            Assert.Equal(0.25, s.Groups[0].Fmr);
            Assert.Equal(0.0, s.Groups[1].Fmr);
            Assert.Null(s.FmrRatio); // the best group has no false match: the ratio is unbounded
            Assert.Equal("A", s.WorstFmrGroup);
            Assert.Equal("B", s.BestFmrGroup);
        }

        [Fact]
        public void EachGroupsOwnThresholdAtTheTargetFar()
        {
            var s = Analyse();

            // A: 4 impostors, k = 1, the 2nd highest is 0.2: both genuine pairs (0.9, 0.35) pass.
            var a = s.Groups[0].OwnThreshold;
            Assert.True(a.IsSupported);
            Assert.Equal(1, a.FalseAcceptBudget);
            Assert.Equal(ScoreKeys.Value(ScoreKeys.Key(0.2f) + 1), a.Threshold);
            Assert.Equal(1.0, a.Tar);
            Assert.Equal(1, a.FalseAccepts);

            // B: 4 impostors, k = 1, the 2nd highest is 0.3: 0.8 and 0.7 pass, 0.3 does not.
            var b = s.Groups[1].OwnThreshold;
            Assert.Equal(ScoreKeys.Value(ScoreKeys.Key(0.3f) + 1), b.Threshold);
            Assert.Equal(2.0 / 3, b.Tar.Value, 12);
            Assert.Equal(0.25, b.AchievedFar);
        }

        [Fact]
        public void FnmrIntervalResamplesTheGroupsIdentities()
        {
            var s = Analyse();

            // A's identities miss 0 of 1 and 1 of 1: a replicate is 0, 1/2 or 1, and 1,000 replicates reach both ends.
            Assert.Equal(0.0, s.Groups[0].FnmrLower);
            Assert.Equal(1.0, s.Groups[0].FnmrUpper);
            // B: b1 misses 0 of 1, b2 1 of 2: replicates 0, 1/3 or 1/2.
            Assert.Equal(0.0, s.Groups[1].FnmrLower);
            Assert.Equal(0.5, s.Groups[1].FnmrUpper);
            Assert.Null(Analyse(samples: 0).Groups[0].FnmrLower);
        }

        [Fact]
        public void AnEmptyCellIsNoGroupAndAColumnIsFoundByName()
        {
            var s = Analyse("Camera");
            Assert.Equal("camera", s.GroupBy);
            // b2 has no camera: its pairs are left out of every group; x: a1, b1; y: a2.
            Assert.Equal(new[] { "x", "y" }, s.Groups.Select(g => g.Group));
            Assert.Equal(5, s.UngroupedImages);
            Assert.Throws<ArgumentException>(() => Analyse("age"));
            Assert.Throws<InvalidDataException>(() => SubgroupMetadata.Parse(new[] { "name,sex", "a,F" }, "m.csv", StringComparer.Ordinal));
            Assert.Throws<InvalidDataException>(() => SubgroupMetadata.Parse(new[] { "identity,sex", "a,F", "a,M" }, "m.csv", StringComparer.Ordinal));
        }

        [Fact]
        public void PathMetadataGroupsImagesAndTheTiledPassEqualsPairByPair()
        {
            // 40 images of 10 people in two groups by path; all pairs scored by the kernel on two workers must count
            // exactly what a pair-by-pair walk over the same pairs counts.
            var rng = new Random(3);
            var images = Enumerable.Range(0, 40).Select(i => new FaceEmbedding($"/d/p{i / 4}/{i}.png", $"p{i / 4}/{i}.png", "p" + (i / 4), "m",
                Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() - 0.3)).ToArray(), i == 7 ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false)).ToList();
            var identity = images.Select(e => int.Parse(e.Identity.Substring(1))).ToArray();
            var all = new AllPairsDesign(images, identity, new bool[40], 10);
            var matrix = EmbeddingMatrix.FromVectors(all.RowImage.Select(i => images[i].Vector).ToList(), 8);
            var lines = new[] { "path,light" }.Concat(images.Select((e, i) => $"{e.RelativePath},{(i % 2 == 0 ? "day" : "night")}")).ToArray();
            var request = new SubgroupRequest { Metadata = SubgroupMetadata.Parse(lines, "m.csv", StringComparer.Ordinal), GroupBy = "light", TargetFar = 0.1, Workers = 2 };
            var names = Enumerable.Range(0, 10).Select(i => "p" + i).ToArray();
            var global = new TarAtFar(0.1, true, 1, 0.01, 0.5, 0.2, 0.01, 1, 1, null, null);
            var tiled = SubgroupCalculator.Analyse("m", all, matrix, names, global, request, CancellationToken.None);

            // The same pairs as an explicit list.
            var left = new List<int>();
            var right = new List<int>();
            var genuine = new List<bool>();
            for (int a = 0; a < 40; a++)
            {
                for (int b = a + 1; b < 40; b++) { left.Add(a); right.Add(b); genuine.Add(identity[a] == identity[b]); }
            }

            var list = new PairListDesign("List", images, identity, new bool[40], left.ToArray(), right.ToArray(), genuine.ToArray(), null, null, null, 10);
            var listMatrix = EmbeddingMatrix.FromVectors(list.RowImage.Select(i => images[i].Vector).ToList(), 8);
            var walked = SubgroupCalculator.Analyse("m", list, listMatrix, names, global, request, CancellationToken.None);

            Assert.Equal(new[] { "day", "night" }, tiled.Groups.Select(g => g.Group));
            Assert.Equal(1, tiled.Groups[1].FailedImages);
            Assert.True(tiled.Cell("day", "night").ImpostorPairs > 0);
            Assert.Equal(walked.FmrMatrix.Select(c => (c.ImpostorPairs, c.FalseMatches)), tiled.FmrMatrix.Select(c => (c.ImpostorPairs, c.FalseMatches)));
            Assert.Equal(walked.Groups.Select(g => (g.GenuinePairs, g.FalseNonMatches, g.OwnThreshold?.Threshold, g.OwnThreshold?.TrueAccepts)),
                tiled.Groups.Select(g => (g.GenuinePairs, g.FalseNonMatches, g.OwnThreshold?.Threshold, g.OwnThreshold?.TrueAccepts)));
            Assert.All(tiled.Groups, g => Assert.True(g.OwnThreshold.IsSupported));
        }

        /// <summary>
        /// 40 people in four groups whose features differ in spread, 4 images each, one person in no group and some images
        /// without a face: the engine's result plus the subgroup stage must count what an independent numpy walk counts.
        /// </summary>
        [NumpyFact]
        public void SubgroupsEqualAnIndependentNumpyImplementation()
        {
            var python = NumpyReference.Python;
            var rng = new Random(1204);
            const int dimension = 32;
            double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var images = new List<FaceEmbedding>();
            var lines = new System.Text.StringBuilder();
            var metadata = new List<string> { "identity,band" };
            for (int p = 0; p < 41; p++)
            {
                string group = p == 40 ? "-" : "g" + (p % 4);
                if (p < 40) { metadata.Add($"p{p},{group}"); }
                double spread = 1.2 + 0.4 * (p % 4);
                var centre = Enumerable.Range(0, dimension).Select(_ => Gauss()).ToArray();
                for (int i = 0; i < 4; i++)
                {
                    bool face = rng.NextDouble() > 0.05;
                    var v = centre.Select(c => (float)(c + spread * Gauss())).ToArray();
                    images.Add(new FaceEmbedding($"/d/p{p}/{i}.png", $"p{p}/{i}.png", "p" + p, "m", face ? v : null, face ? EmbeddingStatus.Success : EmbeddingStatus.NoFace, null, null, TimeSpan.Zero, false));
                    lines.Append("p").Append(p).Append(' ').Append(group).Append(' ').Append(face ? '1' : '0');
                    foreach (var x in v) { lines.Append(' ').Append(x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)); }
                    lines.Append('\n');
                }
            }

            var folder = Path.Combine(Path.GetTempPath(), "ife-groups-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                File.WriteAllText(Path.Combine(folder, "images.txt"), lines.ToString());
                File.WriteAllText(Path.Combine(folder, "far.txt"), "0.01");
                var expected = NumpyReference.Run(python, folder, "subgroups.py");

                var options = new VerificationOptions { FarTargets = new[] { 1e-1, 1e-2 }, OperatingFar = 1e-2, BootstrapSamples = 200, Workers = 2 };
                var models = new List<KeyValuePair<string, List<FaceEmbedding>>> { new KeyValuePair<string, List<FaceEmbedding>>("m", images) };
                var meta = SubgroupMetadata.Parse(metadata, "meta.csv", StringComparer.Ordinal);
                var request = new EmbeddingVerification { Metadata = meta, GroupBy = new[] { "band" }, PathComparer = StringComparer.Ordinal };
                var outcome = request.Measure(new VerificationEngine(options, null, CancellationToken.None), models, PairProtocol.AllPairs, null, CancellationToken.None);
                Assert.Empty(outcome.Problems);
                var s = Assert.Single(Assert.Single(outcome.Results).Subgroups);

                Assert.Equal(0.01, s.TargetFar);
                Assert.True(Math.Abs(expected.GetProperty("threshold").GetDouble() - s.Threshold.Value) < 1e-5);
                Assert.Equal(new[] { "g0", "g1", "g2", "g3" }, s.Groups.Select(g => g.Group));
                Assert.Equal(images.Count(e => e.Identity == "p40"), s.UngroupedImages);
                foreach (var g in s.Groups)
                {
                    var e = expected.GetProperty("groups").GetProperty(g.Group);
                    Assert.Equal(e.GetProperty("genuine").GetInt64(), g.GenuinePairs);
                    Assert.Equal(e.GetProperty("fnm").GetInt64(), g.FalseNonMatches);
                    Assert.Equal(e.GetProperty("impostor").GetInt64(), g.ImpostorPairs);
                    Assert.Equal(e.GetProperty("fm").GetInt64(), g.FalseMatches);
                    Assert.Equal(e.GetProperty("ownSupported").GetBoolean(), g.OwnThreshold.IsSupported);
                    Assert.Equal(e.GetProperty("ownTrueAccepts").GetInt64(), g.OwnThreshold.TrueAccepts);
                    Assert.True(Math.Abs(e.GetProperty("ownThreshold").GetDouble() - g.OwnThreshold.Threshold.Value) < 1e-5);
                    Assert.True(g.FnmrLower <= g.Fnmr && g.Fnmr <= g.FnmrUpper);
                }

                Assert.Equal(10, s.FmrMatrix.Length);
                foreach (var cell in s.FmrMatrix)
                {
                    var e = expected.GetProperty("matrix").GetProperty(cell.GroupA + "|" + cell.GroupB);
                    Assert.Equal(e.GetProperty("impostor").GetInt64(), cell.ImpostorPairs);
                    Assert.Equal(e.GetProperty("fm").GetInt64(), cell.FalseMatches);
                }

                Assert.Equal(expected.GetProperty("fnmrRatio").GetDouble(), s.FnmrRatio.Value, 12);
                Assert.True(s.FnmrRatio > 1.5, "the groups were made to differ");
                var fmrRatio = expected.GetProperty("fmrRatio");
                if (fmrRatio.ValueKind == System.Text.Json.JsonValueKind.Null) { Assert.Null(s.FmrRatio); } else { Assert.Equal(fmrRatio.GetDouble(), s.FmrRatio.Value, 12); }
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
