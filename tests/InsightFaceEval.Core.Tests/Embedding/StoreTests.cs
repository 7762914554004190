using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using Xunit;

namespace InsightFaceEval.Tests.Embedding
{
    public sealed class StoreTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "ife-store-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) { Directory.Delete(_root, true); }
        }

        private static StoreRecord Record(string rel, int i) =>
            new StoreRecord(rel, i.ToString("x64"), "alice", EmbeddingStatus.Success, 4, "dingo", "dingo", ModelStore.StoreRelativeFile(rel),
                "/data/" + rel, DateTimeOffset.UtcNow, "0.1.0", "abc", 1.5);

        [Fact]
        public void OneRunAtATimeClaimsAModelAndTheClaimEndsWithTheRun()
        {
            var store = EmbeddingStore.OpenOrCreate(_root);
            var first = store.Model("dingo").ClaimForRun();
            var busy = Assert.Throws<StoreInUseException>(() => store.Model("dingo").ClaimForRun());
            Assert.Equal("dingo", busy.Model);
            Assert.Contains("Another extraction run", busy.Message);
            using (store.Model("eagle").ClaimForRun())
            {
                // Another model of the same store is free.
            }

            first.Dispose();
            using (store.Model("dingo").ClaimForRun())
            {
                // Free again once the first run let go.
            }
        }

        [Fact]
        public void TheSaltPersistsAndFingerprintsDifferBetweenStores()
        {
            var a = EmbeddingStore.OpenOrCreate(Path.Combine(_root, "a"));
            var again = EmbeddingStore.OpenOrCreate(Path.Combine(_root, "a"));
            var b = EmbeddingStore.OpenOrCreate(Path.Combine(_root, "b"));
            const string url = "https://secret.example/v1/extract?key=123";
            Assert.Equal(a.Fingerprint(url), again.Fingerprint(url));
            Assert.NotEqual(a.Fingerprint(url), b.Fingerprint(url));
            Assert.NotEqual(a.Fingerprint(url), a.Fingerprint(url + "x"));
            Assert.DoesNotContain("secret", File.ReadAllText(Path.Combine(_root, "a", EmbeddingStore.MarkerFileName)));
        }

        [Fact]
        public void VectorsKeepTheDatasetFoldersAndTheImageExtension()
        {
            var store = EmbeddingStore.OpenOrCreate(_root).Model("eagle-2");
            var path = store.WriteVector("alice/img1.png", new[] { 0.5f, 0.5f, 0.5f, 0.5f });
            Assert.Equal(Path.Combine(_root, "eagle-2", "alice", "img1.png.npy"), path);
            Assert.Equal(new[] { 0.5f, 0.5f, 0.5f, 0.5f }, NpyFile.Read(path));
            Assert.Equal("__/x/y.png.npy", ModelStore.StoreRelativeFile("../x/./y.png"));
            Assert.Equal("a/b_c__d_.png.npy", ModelStore.StoreRelativeFile("a/b:c*?d|.png"));
            Assert.Equal("x/_./y.png.npy", ModelStore.StoreRelativeFile("x/ . /y.png"));
            Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
        }

        [Fact]
        public void HexIsLowercaseTwoDigitsPerByte()
        {
            Assert.Equal("00010fa0ff", EmbeddingStore.Hex(new byte[] { 0x00, 0x01, 0x0f, 0xa0, 0xff }));
            Assert.Equal(string.Empty, EmbeddingStore.Hex(Array.Empty<byte>()));
        }

        [Fact]
        public void ConcurrentAppendersFromTwoStoresNeverInterleaveLines()
        {
            var first = EmbeddingStore.OpenOrCreate(_root).Model("dingo");
            var second = EmbeddingStore.OpenOrCreate(_root).Model("dingo");
            Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                var store = i % 2 == 0 ? first : second;
                store.Append(new[] { Record($"id{i % 7}/{i}.png", i), Record($"id{i % 7}/{i}b.png", i) });
            });

            var records = first.ReadIndex(out var skipped);
            Assert.Equal(0, skipped);
            Assert.Equal(800, records.Count);
            Assert.Equal(800, records.Select(r => r.RelativePath).Distinct().Count());
        }

        [Fact]
        public void AFragmentLeftByACrashCostsOnlyThatLine()
        {
            var store = EmbeddingStore.OpenOrCreate(_root).Model("dingo");
            store.Append(new[] { Record("a/1.png", 1) });
            File.AppendAllText(store.IndexPath, "{\"relativePath\":\"a/2.png\",\"sha2", new UTF8Encoding(false));
            store.Append(new[] { Record("a/3.png", 3) });

            var records = store.ReadIndex(out var skipped);
            Assert.Equal(1, skipped);
            Assert.Equal(new[] { "a/1.png", "a/3.png" }, records.Select(r => r.RelativePath));
            var parsed = records[0];
            Assert.Equal(EmbeddingStatus.Success, parsed.Status);
            Assert.Equal("alice", parsed.Identity);
            Assert.Equal(4, parsed.Dimension);
            Assert.Equal("a/1.png.npy", parsed.EmbeddingFile);
        }
    }
}
