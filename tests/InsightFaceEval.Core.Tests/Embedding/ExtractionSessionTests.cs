using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    using static SessionHarness;

    /// <summary>The session with the in-process backend (the seam -ModelPath uses) and the deterministic embedder.</summary>
    public sealed class ExtractionSessionTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-session-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        /// <summary>Counts calls, so a test can see what was (not) embedded again.</summary>
        private sealed class CountingEmbedder : IFaceEmbedder
        {
            private readonly DeterministicFaceEmbedder _inner;
            private int _calls;

            public CountingEmbedder(string name, int dimension) => _inner = new DeterministicFaceEmbedder(name, dimension);

            public int Calls => _calls;

            public string ModelName => _inner.ModelName;

            public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
            {
                Interlocked.Add(ref _calls, images.Count);
                return _inner.Embed(images, cancellationToken);
            }

            public void Dispose()
            {
            }
        }

        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        private List<ExtractionItem> Images(int count, int noFace = 0, int duplicates = 0)
        {
            var items = new List<ExtractionItem>();
            for (var i = 0; i < count; i++)
            {
                var identity = "id" + (i % 3);
                var path = Path.Combine(_root, "data", identity, $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path));
                var bytes = new byte[64];
                new Random(i).NextBytes(bytes);
                PngSignature.CopyTo(bytes, 0); // an image by its first bytes; the deterministic embedder reads no further
                if (i < noFace) { bytes = bytes.Concat(System.Text.Encoding.ASCII.GetBytes(DeterministicFaceEmbedder.NoFaceMarker)).ToArray(); }
                if (i >= count - duplicates) { bytes = File.ReadAllBytes(items[noFace].Path); }
                File.WriteAllBytes(path, bytes);
                items.Add(new ExtractionItem(path, identity + "/" + i + ".png", identity));
            }

            return items;
        }


        private static FaceEmbeddingBackendPair Backend(int dimension = 8)
        {
            var embedder = new CountingEmbedder("dingo", dimension);
            return new FaceEmbeddingBackendPair(embedder, new FaceEmbedderBackend(new Dictionary<string, IFaceEmbedder> { ["dingo"] = embedder }, "test:deterministic"));
        }

        private sealed class FaceEmbeddingBackendPair
        {
            public FaceEmbeddingBackendPair(CountingEmbedder embedder, FaceEmbedderBackend backend)
            {
                Embedder = embedder;
                Backend = backend;
            }

            public CountingEmbedder Embedder { get; }

            public FaceEmbedderBackend Backend { get; }
        }

        [Fact]
        public void EmbedsStoresAndReportsEveryImage()
        {
            var items = Images(30, noFace: 2);
            var store = EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store"));
            var pair = Backend();
            var events = Run(pair.Backend, store, items, new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 4 });

            var outputs = events.Where(e => e.Kind == ExtractionEventKind.Output).Select(e => e.Embedding).ToList();
            Assert.Equal(30, outputs.Count);
            Assert.Equal(28, outputs.Count(o => o.Status == EmbeddingStatus.Success && o.Dimension == 8 && File.Exists(o.EmbeddingPath)));
            Assert.Equal(2, outputs.Count(o => o.Status == EmbeddingStatus.NoFace && o.Dimension == 0 && o.EmbeddingPath == null));
            var noFaceErrors = events.Where(e => e.Kind == ExtractionEventKind.Error).Select(e => e.Error).ToList();
            Assert.Equal(2, noFaceErrors.Count);
            Assert.All(noFaceErrors, e => Assert.Equal("NoFace", e.Id));
            Assert.All(outputs.Where(o => o.Status == EmbeddingStatus.Success), o =>
                Assert.Equal(new DeterministicFaceEmbedder("dingo", 8).Embed(new[] { File.ReadAllBytes(o.Path) }, default)[0], NpyFile.Read(o.EmbeddingPath)));
            Assert.Equal(30, store.Model("dingo").ReadIndex(out _).Count);
        }

        [Fact]
        public void ARerunEmbedsNothingStoredAndTheSameBytesOnlyOnce()
        {
            var items = Images(20, noFace: 1, duplicates: 3);
            var storePath = Path.Combine(_root, "store");
            var first = Backend();
            Run(first.Backend, EmbeddingStore.OpenOrCreate(storePath), items, new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 3 });
            Assert.Equal(17, first.Embedder.Calls); // 3 files repeat another one's bytes

            var second = Backend();
            var events = Run(second.Backend, EmbeddingStore.OpenOrCreate(storePath), items, new ExtractionOptions { Models = new[] { "dingo" } });
            Assert.Equal(0, second.Embedder.Calls);
            var outputs = events.Where(e => e.Kind == ExtractionEventKind.Output).Select(e => e.Embedding).ToList();
            Assert.Equal(20, outputs.Count);
            Assert.All(outputs, o => Assert.True(o.FromStore));
            Assert.Equal(1, outputs.Count(o => o.Status == EmbeddingStatus.NoFace));

            var third = Backend();
            var thirdEvents = Run(third.Backend, EmbeddingStore.OpenOrCreate(storePath), items, new ExtractionOptions { Models = new[] { "dingo" }, RetryNoFace = true });
            Assert.Equal(1, third.Embedder.Calls);
            Assert.Equal(19, thirdEvents.Count(e => e.Kind == ExtractionEventKind.Output && e.Embedding.FromStore));

            var forced = Backend();
            Run(forced.Backend, EmbeddingStore.OpenOrCreate(storePath), items, new ExtractionOptions { Models = new[] { "dingo" }, Force = true });
            Assert.Equal(17, forced.Embedder.Calls);
        }

        /// <summary>Takes a while per image and remembers how many ran at once.</summary>
        private sealed class SlowEmbedder : IFaceEmbedder
        {
            private readonly DeterministicFaceEmbedder _inner = new DeterministicFaceEmbedder("dingo", 8);
            private int _running;
            private int _most;

            public int MostAtOnce => Volatile.Read(ref _most);

            public string ModelName => "dingo";

            public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref _running);
                int seen;
                while (now > (seen = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, seen) != seen) { }
                Thread.Sleep(30);
                Interlocked.Decrement(ref _running);
                return _inner.Embed(images, cancellationToken);
            }

            public void Dispose()
            {
            }
        }

        [Fact]
        public void ThrottleLimitIsTheNumberOfRequestsInFlight()
        {
            // Synchronous embedders block pool threads; on a 2-core machine the pool would add the third one slowly.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 8), io);
            var items = Images(40);
            var embedder = new SlowEmbedder();
            var backend = new FaceEmbedderBackend(new Dictionary<string, IFaceEmbedder> { ["dingo"] = embedder }, "test:slow");
            var events = Run(backend, EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store")), items, new ExtractionOptions { Models = new[] { "dingo" }, ThrottleLimit = 3 });
            Assert.Equal(40, events.Count(e => e.Kind == ExtractionEventKind.Output));
            Assert.Equal(3, embedder.MostAtOnce);
        }

        [Fact]
        public void AModelNobodyServesStopsTheRunAfterOneAttempt()
        {
            var items = Images(12);
            var pair = Backend();
            var events = Run(pair.Backend, EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store")), items,
                new ExtractionOptions { Models = new[] { "ostrich" }, ThrottleLimit = 6 });
            var errors = events.Where(e => e.Kind == ExtractionEventKind.Error).Select(e => e.Error).ToList();
            Assert.Single(errors);
            Assert.True(errors[0].Terminating);
            Assert.Equal("ModelRejected", errors[0].Id);
            Assert.DoesNotContain(events, e => e.Kind == ExtractionEventKind.Output);
        }

        [Fact]
        public void AnUnreadableFileIsOneErrorAndTheRestGoOn()
        {
            var items = Images(5);
            items.Insert(2, new ExtractionItem(Path.Combine(_root, "data", "missing.png"), "x/missing.png", "x"));
            var events = Run(Backend().Backend, EmbeddingStore.OpenOrCreate(Path.Combine(_root, "store")), items, new ExtractionOptions { Models = new[] { "dingo" } });
            var error = Assert.Single(events, e => e.Kind == ExtractionEventKind.Error).Error;
            Assert.Equal("FileNotFound", error.Id);
            Assert.EndsWith("missing.png", (string)error.Target);
            Assert.Equal(5, events.Count(e => e.Kind == ExtractionEventKind.Output));
        }

        [Fact]
        public void TheDeterministicEmbedderGivesStableUnitVectors()
        {
            var embedder = new DeterministicFaceEmbedder("eagle-2", 1024);
            var a = embedder.EmbedExact(new byte[] { 1, 2, 3 });
            Assert.Equal(a, embedder.EmbedExact(new byte[] { 1, 2, 3 }));
            Assert.Equal(1024, a.Length);
            Assert.Equal(1.0, Math.Sqrt(a.Sum(v => v * v)), 12);
            var b = embedder.EmbedExact(new byte[] { 1, 2, 4 });
            Assert.InRange(a.Zip(b, (x, y) => x * y).Sum(), -0.2, 0.2);
            Assert.NotEqual(a.Take(8), new DeterministicFaceEmbedder("eagle", 1024).EmbedExact(new byte[] { 1, 2, 3 }).Take(8));
            Assert.Empty(embedder.EmbedExact(System.Text.Encoding.ASCII.GetBytes("PNG...tEXtComment\0" + DeterministicFaceEmbedder.NoFaceMarker)));
        }
    }
}
