using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using InsightFaceEval.IO;
using InsightFaceEval.Threading;
using Xunit;

namespace InsightFaceEval.Tests
{
    public class OrderedWorkQueueTests
    {
        [Fact]
        public void ResultsComeBackInInputOrderWhateverFinishesFirst()
        {
            var running = 0;
            var maxRunning = 0;
            using (var queue = new OrderedWorkQueue<int, int>(
                (i, token) =>
                {
                    var now = Interlocked.Increment(ref running);
                    lock (this) { maxRunning = Math.Max(maxRunning, now); }
                    Thread.Sleep((7 - (i % 7)) * 3);
                    Interlocked.Decrement(ref running);
                    if (i == 5) { throw new InvalidOperationException("five"); }
                    return i * 10;
                },
                degree: 2,
                capacity: 4,
                CancellationToken.None))
            {
                var results = new List<string>();
                for (var i = 0; i < 20; i++)
                {
                    while (queue.IsFull) { results.Add(Take(queue)); }
                    queue.Add(i);
                }

                while (queue.Count > 0) { results.Add(Take(queue)); }
                var expected = new List<string>();
                for (var i = 0; i < 20; i++) { expected.Add(i == 5 ? "5:five" : $"{i}:{i * 10}"); }
                Assert.Equal(expected, results);
                Assert.True(maxRunning <= 2, $"{maxRunning} ran at once");
            }
        }

        private static string Take(OrderedWorkQueue<int, int> queue)
        {
            var r = queue.Take(out var item, out var error);
            return error != null ? $"{item}:{error.Message}" : $"{item}:{r}";
        }

        [Fact]
        public void CancellingStopsTheWait()
        {
            using (var stop = new CancellationTokenSource())
            using (var queue = new OrderedWorkQueue<int, int>((i, token) => { token.WaitHandle.WaitOne(5000); token.ThrowIfCancellationRequested(); return i; }, 1, 2, stop.Token))
            {
                queue.Add(1);
                stop.CancelAfter(50);
                Assert.ThrowsAny<OperationCanceledException>(() => queue.Take(out _, out _));
            }
        }

        [Fact]
        public void AtomicWritesLeaveNoTemporaryFileAndRespectExistingOnes()
        {
            var folder = Path.Combine(Path.GetTempPath(), "ife-atomic-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var path = Path.Combine(folder, "sub", "a.png");
                AtomicFile.WriteAllBytes(path, new byte[] { 1, 2, 3 }, overwrite: false);
                Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
                Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, new byte[] { 9 }, overwrite: false));
                Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
                AtomicFile.WriteAllBytes(path, new byte[] { 4 }, overwrite: true);
                Assert.Equal(new byte[] { 4 }, File.ReadAllBytes(path));
                Assert.Equal(new[] { path }, Directory.GetFiles(Path.Combine(folder, "sub")));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
