using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    /// <summary>What -WhatIf and -Confirm report: per model, images to send and images the store already has.</summary>
    public sealed class ExtractionPlanTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-plan-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        private List<ExtractionItem> Images(int count, int first = 0)
        {
            var items = new List<ExtractionItem>();
            for (var i = first; i < first + count; i++)
            {
                var path = Path.Combine(_root, "data", "id", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path));
                var bytes = new byte[40];
                new Random(i).NextBytes(bytes);
                new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
                File.WriteAllBytes(path, bytes);
                items.Add(new ExtractionItem(path, "id/" + i + ".png", "id"));
            }

            return items;
        }

        [Fact]
        public void ThePlanCountsWhatTheStoreHasAndWhatWouldBeSentAndWritesNothing()
        {
            var storeRoot = Path.Combine(_root, "store");
            var stored = Images(6);
            using (var embedder = new DeterministicFaceEmbedder("dingo", 8))
            using (var session = new ExtractionSession(new FaceEmbedderBackend(new Dictionary<string, IFaceEmbedder> { ["dingo"] = embedder }, "test", false), EmbeddingStore.OpenOrCreate(storeRoot),
                new ExtractionOptions { Models = new[] { "dingo" } }))
            {
                foreach (var item in stored) { Assert.True(session.TryPost(item)); }
                session.Complete();
                while (!session.IsFinished) { session.WaitForActivity(TimeSpan.FromMilliseconds(50)); }
                while (session.TryTake(out _)) { }
            }

            var items = stored.Concat(Images(4, first: 100)).ToList();
            items.Add(new ExtractionItem(items[7].Path, "copy/107.png", "copy")); // the same bytes again: one request serves both
            var text = Path.Combine(_root, "data", "id", "readme.png");
            File.WriteAllText(text, "not an image");
            items.Add(new ExtractionItem(text, "id/readme.png", "id"));
            var before = Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories).Length;

            var plan = ExtractionPlanner.Plan(storeRoot, items, new ExtractionOptions { Models = new[] { "dingo", "eagle" } });
            Assert.Equal(before, Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories).Length);
            Assert.Equal(11, plan.Images);
            Assert.Equal(1, plan.NotImages);
            var dingo = plan.Models.Single(m => m.Model == "dingo");
            var eagle = plan.Models.Single(m => m.Model == "eagle");
            Assert.Equal(4, dingo.ToSend);
            Assert.Equal(7, dingo.FromStore);
            Assert.Equal(10, eagle.ToSend);
            Assert.Equal(1, eagle.FromStore);

            var forced = ExtractionPlanner.Plan(storeRoot, items, new ExtractionOptions { Models = new[] { "dingo" }, Force = true });
            Assert.Equal(10, forced.Models[0].ToSend);

            var nowhere = ExtractionPlanner.Plan(Path.Combine(_root, "no-store-yet"), items, new ExtractionOptions { Models = new[] { "dingo" } });
            Assert.Equal(10, nowhere.Models[0].ToSend);
            Assert.False(Directory.Exists(Path.Combine(_root, "no-store-yet")));
        }

        [Fact]
        public void TheDescriptionGivesTheCountsAndTheTimeAtTheRequestedRate()
        {
            var plan = new ExtractionPlan(new[] { new ModelPlan("dingo", 20, 4), new ModelPlan("eagle", 10, 14) }, 24, 0, 0);
            Assert.Equal("Upload 20 image(s) to the endpoint for model 'dingo'; 4 more come from the store. About 4 s at -MaximumRequestsPerSecond 5 (all models: about 6 s).",
                plan.Describe(plan.Models[0], false, 5));
            Assert.Equal("Upload 10 image(s) to the endpoint for model 'eagle'; 14 more come from the store. No -MaximumRequestsPerSecond: the time depends on the endpoint's rate limit.",
                plan.Describe(plan.Models[1], false, null));
            Assert.Equal("Embed 20 image(s) with the local model 'dingo'; 4 more come from the store.", plan.Describe(plan.Models[0], true, null));
            Assert.Equal("3 min", ExtractionPlan.FormatDuration(TimeSpan.FromSeconds(150)));
            Assert.Equal("2.5 h", ExtractionPlan.FormatDuration(TimeSpan.FromMinutes(150)));
        }
    }
}
