using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using InsightFaceEval.IO;
using Xunit;

namespace InsightFaceEval.Tests.IO
{
    /// <summary>Files held open by other programs: the replace retries with backoff, readers share for write and delete.</summary>
    public sealed class FileReplaceTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "ife-replace-" + Guid.NewGuid().ToString("N"));

        public FileReplaceTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        /// <summary>Real file operations, except that the first <paramref name="failures"/> replaces throw as Windows does
        /// while an antivirus scanner or Excel holds the target; the waits are recorded instead of slept.</summary>
        private static FileOperations Flaky(int failures, List<TimeSpan> waits, Func<Exception> error = null)
        {
            var left = failures;
            return new FileOperations
            {
                Replace = (temp, target) =>
                {
                    if (left-- > 0) { throw error?.Invoke() ?? new IOException("The process cannot access the file because it is being used by another process."); }
                    File.Replace(temp, target, null, ignoreMetadataErrors: true);
                },
                Sleep = waits.Add,
            };
        }

        private string Temp(string content)
        {
            var temp = Path.Combine(_folder, "." + Guid.NewGuid().ToString("N") + ".tmp");
            File.WriteAllText(temp, content);
            return temp;
        }

        [Fact]
        public void ATargetHeldOpenForAMomentIsReplacedAfterBackingOff()
        {
            var target = Path.Combine(_folder, "report.json");
            File.WriteAllText(target, "old");
            var waits = new List<TimeSpan>();
            FileReplace.MoveIntoPlace(Temp("new"), target, overwrite: true, Flaky(3, waits), CancellationToken.None);

            Assert.Equal("new", File.ReadAllText(target));
            Assert.Equal(new[] { 10.0, 20.0, 40.0 }, waits.Select(w => w.TotalMilliseconds).ToArray());
            Assert.Single(Directory.GetFiles(_folder)); // no temporary file left behind
        }

        [Fact]
        public void AccessDeniedWhileAScannerHoldsTheFileIsRetriedToo()
        {
            var target = Path.Combine(_folder, "pairs.csv");
            File.WriteAllText(target, "old");
            var waits = new List<TimeSpan>();
            FileReplace.MoveIntoPlace(Temp("new"), target, overwrite: true, Flaky(2, waits, () => new UnauthorizedAccessException("Access to the path is denied.")), CancellationToken.None);
            Assert.Equal("new", File.ReadAllText(target));
            Assert.Equal(2, waits.Count);
        }

        [Fact]
        public void ATargetThatStaysLockedFailsAfterThePatienceNamingTheCause()
        {
            var target = Path.Combine(_folder, "report.html");
            File.WriteAllText(target, "old");
            var waits = new List<TimeSpan>();
            var temp = Temp("new");
            var error = Assert.Throws<IOException>(() => FileReplace.MoveIntoPlace(temp, target, overwrite: true, Flaky(int.MaxValue, waits), CancellationToken.None));
            Assert.Contains("has it open", error.Message);
            Assert.Contains(target, error.Message);
            Assert.IsType<IOException>(error.InnerException);
            Assert.True(waits.Aggregate(TimeSpan.Zero, (a, b) => a + b) >= FileReplace.Patience);
            Assert.All(waits, w => Assert.True(w <= TimeSpan.FromMilliseconds(500)));
            Assert.Equal("old", File.ReadAllText(target));
        }

        [Fact]
        public void AnExistingTargetWithoutOverwriteIsRefusedAtOnce()
        {
            var target = Path.Combine(_folder, "crop.png");
            File.WriteAllText(target, "old");
            var waits = new List<TimeSpan>();
            Assert.Throws<IOException>(() => FileReplace.MoveIntoPlace(Temp("new"), target, overwrite: false, Flaky(0, waits), CancellationToken.None));
            Assert.Empty(waits);
            Assert.Equal("old", File.ReadAllText(target));
        }

        [Fact]
        public void AtomicFileGoesThroughTheRetryingReplace()
        {
            // The real path end to end: an existing target is replaced, its reader (sharing write and delete) unharmed.
            var target = Path.Combine(_folder, "summary.json");
            File.WriteAllText(target, "old");
            using (var reader = SharedFile.OpenRead(target))
            {
                AtomicFile.WriteAllBytes(target, Encoding.UTF8.GetBytes("new"), overwrite: true);
                var buffer = new byte[3];
                Assert.Equal(3, reader.Read(buffer, 0, 3));
                Assert.Equal("old", Encoding.UTF8.GetString(buffer)); // the open reader keeps the file it opened
            }

            Assert.Equal("new", File.ReadAllText(target));
        }

        [Fact]
        public void AReaderSharesWithAProgramThatIsWritingTheFile()
        {
            // On Windows File.ReadAllBytes (FileShare.Read) fails while another handle has the file open for writing;
            // the module's reader shares ReadWrite | Delete, so it reads and the writer carries on.
            var path = Path.Combine(_folder, "detections.csv");
            using (var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
                var first = Encoding.UTF8.GetBytes("path,x\n");
                writer.Write(first, 0, first.Length);
                writer.Flush();

                Assert.Equal("path,x\n", Encoding.UTF8.GetString(SharedFile.ReadAllBytes(path)));
                Assert.Equal(new[] { "path,x" }, SharedFile.ReadAllLines(path));

                var more = Encoding.UTF8.GetBytes("a.jpg,1\n");
                writer.Write(more, 0, more.Length); // the writer is not stopped by the reader
                writer.Flush();
            }

            Assert.Equal("path,x\na.jpg,1\n", SharedFile.ReadAllText(path));
        }
    }
}
