using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using InsightFaceEval.Metrics;
using InsightFaceEval.Templates;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class TemplateTests
    {
        private static FaceEmbedding Image(string relative, string identity, float[] vector, string model = "m") =>
            new FaceEmbedding("/data/" + relative, relative, identity, model, vector,
                vector == null ? EmbeddingStatus.NoFace : EmbeddingStatus.Success, null, null, TimeSpan.Zero, false);

        [Fact]
        public void MediaAreAveragedFirstThenTheTemplateIsNormalised()
        {
            // Two frames of one video (x and y) and one photo (y), each already unit length.
            var members = new[]
            {
                Image("a/1.png", "a", new[] { 1f, 0f }).WithTemplate("t", "video"),
                Image("a/2.png", "a", new[] { 0f, 2f }).WithTemplate("t", "video"), // scaled to unit length first
                Image("a/3.png", "a", new[] { 0f, 1f }).WithTemplate("t", "photo"),
            };

            // Media average: (0.5, 0.5) + (0, 1) = (0.5, 1.5), normalised.
            var byMedia = TemplateBuilder.Feature(members, TemplateAggregation.MediaThenTemplate);
            Assert.Equal(0.5 / Math.Sqrt(2.5), byMedia[0], 6);
            Assert.Equal(1.5 / Math.Sqrt(2.5), byMedia[1], 6);

            // Plain mean: (1, 2) / 3, normalised.
            var mean = TemplateBuilder.Feature(members, TemplateAggregation.Mean);
            Assert.Equal(1 / Math.Sqrt(5), mean[0], 6);
            Assert.Equal(2 / Math.Sqrt(5), mean[1], 6);
        }

        [Fact]
        public void AFailedImageIsLeftOutAndATemplateWhoseImagesAllFailedIsAFailure()
        {
            var members = new List<FaceEmbedding>
            {
                Image("a/1.png", "a", new[] { 1f, 0f }).WithTemplate("t1", "m1"),
                Image("a/2.png", "a", null).WithTemplate("t1", "m2"),
                Image("b/1.png", "b", null).WithTemplate("t2", "m3"),
                Image("b/2.png", "b", null).WithTemplate("t2", "m4"),
            };

            var problems = new List<Problem>();
            var templates = TemplateBuilder.Build(members, TemplateAggregation.MediaThenTemplate, problems);
            Assert.Empty(problems);
            Assert.Equal(new[] { "t1", "t2" }, templates.Select(t => t.RelativePath));
            Assert.Equal(EmbeddingStatus.Success, templates[0].Status);
            Assert.Equal(new[] { 1f, 0f }, templates[0].Vector);
            Assert.Equal(EmbeddingStatus.NoFace, templates[1].Status);
            Assert.Equal("b", templates[1].Identity);
            Assert.Equal("t2", templates[1].TemplateId);
        }

        [Fact]
        public void ATemplateOfTwoPeopleIsReportedAndLeftOut()
        {
            var members = new[]
            {
                Image("a/1.png", "a", new[] { 1f, 0f }).WithTemplate("t1", null),
                Image("b/1.png", "b", new[] { 0f, 1f }).WithTemplate("t1", null),
                Image("b/2.png", "b", new[] { 0f, 1f }).WithTemplate("t2", null),
            };

            var problems = new List<Problem>();
            var templates = TemplateBuilder.Build(members, TemplateAggregation.MediaThenTemplate, problems);
            Assert.Equal(new[] { "t2" }, templates.Select(t => t.TemplateId));
            var problem = Assert.Single(problems);
            Assert.Equal("TemplateIdentityConflict", problem.Id);
            Assert.Equal(ProblemCategory.InvalidData, problem.Category);
            Assert.Equal("t1", problem.Target);
        }

        [Fact]
        public void IjbFaceListMatchesBareFileNamesAndCsvMapsPathsWithIdentities()
        {
            var ijb = TemplateMap.Parse(new[] { "1.jpg 11 501", "2.jpg 11 502", "", "3.jpg 12 503" }, "face_tid_mid.txt");
            Assert.Equal(3, ijb.Entries.Count);
            Assert.Equal("503", ijb.Entries[2].MediaId);
            Assert.Equal(4, ijb.Entries[2].Line);

            // The crops were saved as .png under a folder; a bare "1.jpg" still names the one image called 1.
            var images = new[] { Image("crops/1.png", "x", new[] { 1f }), Image("crops/2.png", "x", new[] { 1f }), Image("crops/3.png", "x", new[] { 1f }), Image("crops/4.png", "x", new[] { 1f }) };
            var members = ijb.Apply(images, StringComparer.Ordinal, out var unlisted, out var unmatched);
            Assert.Equal(new[] { "11", "11", "12" }, members.Select(m => m.TemplateId));
            Assert.Equal(new[] { "501", "502", "503" }, members.Select(m => m.MediaId));
            Assert.Equal(1, unlisted);
            Assert.Empty(unmatched);

            var csv = TemplateMap.Parse(new[] { "Template,Path,Identity", "t1,crops/1.png,alice", "t2,crops/1.png,alice", "t2,crops/9.png,alice" }, "map.csv");
            members = csv.Apply(images, StringComparer.Ordinal, out unlisted, out unmatched);
            Assert.Equal(new[] { "t1", "t2" }, members.Select(m => m.TemplateId));
            Assert.All(members, m => Assert.Equal("alice", m.Identity));
            Assert.Null(members[0].MediaId);
            Assert.Equal(3, unlisted);
            Assert.Equal(4, Assert.Single(unmatched).Line);

            var bad = Assert.Throws<InvalidDataException>(() => TemplateMap.Parse(new[] { "path,media", "a.png,1" }, "map.csv"));
            Assert.Contains("'template'", bad.Message);
            Assert.Throws<InvalidDataException>(() => TemplateMap.Parse(new[] { "1.jpg 11" }, "face_tid_mid.txt"));
        }

        [Fact]
        public void IjbTemplatePairListIsRead()
        {
            var pairs = TemplatePairListReader.Parse(new[] { "11 12 1", "11 13 0" }, "pairs.txt");
            Assert.Equal(2, pairs.Count);
            Assert.Equal("13", pairs[1].Second);
            Assert.False(pairs[1].Genuine);
            pairs = TemplatePairListReader.Parse(new[] { "template1,template2,label", "a,b,1" }, "pairs.csv");
            Assert.True(Assert.Single(pairs).Genuine);
            Assert.Throws<FormatException>(() => TemplatePairListReader.Parse(new[] { "11 12 2" }, "pairs.txt"));
        }

        /// <summary>Synthetic IJB-style files, measured by Core and by an independent numpy implementation (Reference/ijb_templates.py).</summary>
        [NumpyTheory]
        [InlineData("MediaThenTemplate")]
        [InlineData("Mean")]
        public void TemplateVerificationEqualsAnIndependentNumpyImplementation(string aggregationName)
        {
            var python = NumpyReference.Python;
            var aggregation = (TemplateAggregation)Enum.Parse(typeof(TemplateAggregation), aggregationName);
            var folder = Path.Combine(Path.GetTempPath(), "ife-ijb-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var images = WriteSyntheticIjb(folder, aggregationName, out var templatePairs);

                var map = TemplateMap.Read(Path.Combine(folder, "face_tid_mid.txt"));
                var pairList = TemplatePairListReader.Read(Path.Combine(folder, "template_pair_label.txt"));
                var problems = new List<ModelProblem>();
                var notes = new List<string>();
                var models = new List<KeyValuePair<string, List<FaceEmbedding>>> { new KeyValuePair<string, List<FaceEmbedding>>("m", images) };
                var templates = TemplateSet.Build(models, map, aggregation, StringComparer.Ordinal, problems, notes);
                Assert.Empty(problems);

                var reference = NumpyReference.Run(python, folder, "ijb_templates.py");
                var features = reference.GetProperty("features");
                var built = templates.Single().Value;
                Assert.Equal(features.EnumerateObject().Count(), built.Count);
                Assert.Contains(built, t => t.Status == EmbeddingStatus.NoFace);
                foreach (var t in built)
                {
                    var expected = features.GetProperty(t.TemplateId);
                    if (expected.ValueKind == JsonValueKind.Null) { Assert.Equal(EmbeddingStatus.NoFace, t.Status); continue; }
                    var values = expected.EnumerateArray().Select(v => v.GetDouble()).ToArray();
                    Assert.Equal(values.Length, t.Vector.Length);
                    for (int d = 0; d < values.Length; d++) { Assert.True(Math.Abs(values[d] - t.Vector[d]) < 1e-6, $"template {t.TemplateId}[{d}]: {t.Vector[d]} vs numpy {values[d]}"); }
                }

                var options = new VerificationOptions { FarTargets = new[] { 1e-1, 1e-2, 1e-3 }, BootstrapSamples = 0, Workers = 2 };
                var listed = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(templates, PairProtocol.PairList, pairList);
                AssertSame(reference.GetProperty("pairList"), listed);
                var every = new VerificationEngine(options, null, CancellationToken.None).MeasureEmbeddings(templates, PairProtocol.AllPairs, null);
                AssertSame(reference.GetProperty("allPairs"), every);
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        private static void AssertSame(JsonElement expected, VerificationOutcome outcome)
        {
            Assert.Empty(outcome.Problems);
            var result = Assert.Single(outcome.Results);
            foreach (var (name, metrics) in new[] { ("completed", result.Completed), ("system", result.SystemLevel) })
            {
                var e = expected.GetProperty(name);
                Assert.Equal(e.GetProperty("genuine").GetInt64(), metrics.GenuinePairs);
                Assert.Equal(e.GetProperty("impostor").GetInt64(), metrics.ImpostorPairs);
                Assert.True(Math.Abs(e.GetProperty("eer").GetDouble() - metrics.Eer) < 1e-9, $"{name} EER {metrics.Eer} vs numpy {e.GetProperty("eer").GetDouble()}");
                Assert.True(Math.Abs(e.GetProperty("auc").GetDouble() - metrics.Auc) < 1e-9, $"{name} AUC {metrics.Auc} vs numpy {e.GetProperty("auc").GetDouble()}");
                var targets = e.GetProperty("tarAtFar").EnumerateArray().ToList();
                Assert.Equal(targets.Count, metrics.TarAtFar.Length);
                for (int i = 0; i < targets.Count; i++)
                {
                    var t = targets[i];
                    var ours = metrics.TarAtFar[i];
                    Assert.Equal(t.GetProperty("supported").GetBoolean(), ours.IsSupported);
                    if (!ours.IsSupported) { continue; }
                    Assert.Equal(t.GetProperty("trueAccepts").GetInt64(), ours.TrueAccepts);
                    Assert.Equal(t.GetProperty("falseAccepts").GetInt64(), ours.FalseAccepts);
                    Assert.Equal(t.GetProperty("tar").GetDouble(), ours.Tar.Value, 12);
                    Assert.True(Math.Abs(t.GetProperty("threshold").GetDouble() - ours.Threshold.Value) < 1e-5, $"{name} threshold at FAR {ours.TargetFar}: {ours.Threshold} vs numpy {t.GetProperty("threshold").GetDouble()}");
                }
            }
        }

        /// <summary>
        /// 15 people, 3 templates each of 1-3 media of 1-3 frames, 24-dimensional features around each person's direction;
        /// about one image in eight has no face, and one template has no face at all. Writes the IJB files, the features
        /// and the template subjects; returns the embeddings as the module would hold them (crops/&lt;n&gt;.png).
        /// </summary>
        private static List<FaceEmbedding> WriteSyntheticIjb(string folder, string aggregation, out List<(string, string, bool)> pairs)
        {
            var rng = new Random(20261204);
            const int people = 15, dimension = 24;
            var faceList = new StringBuilder();
            var features = new StringBuilder();
            var subjects = new StringBuilder();
            var images = new List<FaceEmbedding>();
            var templateSubject = new List<(string Template, int Person)>();
            int image = 0, media = 1000;
            double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            for (int p = 0; p < people; p++)
            {
                var centre = Enumerable.Range(0, dimension).Select(_ => Gauss()).ToArray();
                for (int t = 0; t < 3; t++)
                {
                    string template = (100 + p * 3 + t).ToString(CultureInfo.InvariantCulture);
                    templateSubject.Add((template, p));
                    subjects.Append(template).Append(' ').Append("s").Append(p).Append('\n');
                    bool allFail = p == 4 && t == 1;
                    int medias = 1 + rng.Next(3);
                    for (int m = 0; m < medias; m++, media++)
                    {
                        var mediaShift = Enumerable.Range(0, dimension).Select(_ => 0.9 * Gauss()).ToArray();
                        int frames = 1 + rng.Next(3);
                        for (int f = 0; f < frames; f++)
                        {
                            image++;
                            bool face = !allFail && rng.NextDouble() > 0.125;
                            var vector = Enumerable.Range(0, dimension).Select(d => (float)((centre[d] + mediaShift[d] + 0.5 * Gauss()) * (0.5 + rng.NextDouble()))).ToArray();
                            faceList.Append(image).Append(".jpg ").Append(template).Append(' ').Append(media).Append('\n');
                            features.Append(image).Append(".jpg ").Append(face ? '1' : '0');
                            foreach (var v in vector) { features.Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture)); }
                            features.Append('\n');
                            images.Add(Image($"crops/{image}.png", "s" + p, face ? vector : null));
                        }
                    }
                }
            }

            // Every genuine template pair, and 400 impostor pairs.
            pairs = new List<(string, string, bool)>();
            for (int i = 0; i < templateSubject.Count; i++)
            {
                for (int j = i + 1; j < templateSubject.Count; j++)
                {
                    if (templateSubject[i].Person == templateSubject[j].Person) { pairs.Add((templateSubject[i].Template, templateSubject[j].Template, true)); }
                }
            }

            while (pairs.Count(x => !x.Item3) < 400)
            {
                int i = rng.Next(templateSubject.Count), j = rng.Next(templateSubject.Count);
                if (templateSubject[i].Person == templateSubject[j].Person) { continue; }
                pairs.Add((templateSubject[i].Template, templateSubject[j].Template, false));
            }

            File.WriteAllText(Path.Combine(folder, "face_tid_mid.txt"), faceList.ToString());
            File.WriteAllText(Path.Combine(folder, "features.txt"), features.ToString());
            File.WriteAllText(Path.Combine(folder, "subjects.txt"), subjects.ToString());
            File.WriteAllText(Path.Combine(folder, "aggregation.txt"), aggregation);
            File.WriteAllText(Path.Combine(folder, "template_pair_label.txt"), string.Concat(pairs.Select(x => $"{x.Item1} {x.Item2} {(x.Item3 ? 1 : 0)}\n")));
            return images;
        }
    }
}
