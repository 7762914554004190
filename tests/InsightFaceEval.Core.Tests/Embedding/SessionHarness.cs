using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Tests.Embedding
{
    /// <summary>Runs an extraction session as the cmdlet does (post, drain on this thread, complete) for the session tests.</summary>
    internal static class SessionHarness
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        /// <summary>Posts every item, completes, and returns every event the session emitted.</summary>
        public static List<ExtractionEvent> Run(IEmbeddingBackend backend, EmbeddingStore store, IEnumerable<ExtractionItem> items, ExtractionOptions options)
        {
            var events = new List<ExtractionEvent>();
            using (var session = new ExtractionSession(backend, store, options))
            {
                foreach (var item in items)
                {
                    while (!session.TryPost(item)) { Drain(session, events, true); }
                }

                session.Complete();
                while (!session.IsFinished) { Drain(session, events, true); }
                Drain(session, events, false);
            }

            return events;
        }

        public static void Drain(ExtractionSession session, List<ExtractionEvent> events, bool wait)
        {
            if (wait) { session.WaitForActivity(TimeSpan.FromMilliseconds(50)); }
            while (session.TryTake(out var e)) { events.Add(e); }
        }

        public static List<Problem> Errors(IEnumerable<ExtractionEvent> events) =>
            events.Where(e => e.Kind == ExtractionEventKind.Error).Select(e => e.Error).ToList();

        /// <summary><paramref name="count"/> small files under root/data/id that start as PNGs do (distinct content each).</summary>
        public static List<ExtractionItem> PngImages(string root, int count)
        {
            var items = new List<ExtractionItem>();
            for (var i = 0; i < count; i++)
            {
                var path = Path.Combine(root, "data", "id", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path));
                var bytes = new byte[48];
                new Random(i).NextBytes(bytes);
                PngSignature.CopyTo(bytes, 0);
                File.WriteAllBytes(path, bytes);
                items.Add(new ExtractionItem(path, "id/" + i + ".png", "id"));
            }

            return items;
        }
    }
}
