using System;
using System.IO;
using System.Threading;

namespace InsightFaceEval.IO
{
    /// <summary>
    /// Moves a finished temporary file into place, retrying with backoff while another program (an antivirus scanner,
    /// a backup agent, Excel, another run) briefly holds the target: on Windows a replace fails while the target is
    /// open without delete sharing.
    /// </summary>
    public static class FileReplace
    {
        /// <summary>How long a target held open by another program is waited for in total.</summary>
        public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

        /// <summary>The wait before retry <paramref name="attempt"/> (0-based): 10 ms doubling, at most 500 ms.</summary>
        public static TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(500, 10 << Math.Min(attempt, 6)));

        /// <summary>
        /// Renames <paramref name="temp"/> to <paramref name="target"/>, replacing an existing target when
        /// <paramref name="overwrite"/> (else an existing target is an <see cref="IOException"/>, not retried).
        /// </summary>
        public static void MoveIntoPlace(string temp, string target, bool overwrite, CancellationToken cancellationToken = default) =>
            MoveIntoPlace(temp, target, overwrite, FileOperations.System, cancellationToken);

        internal static void MoveIntoPlace(string temp, string target, bool overwrite, FileOperations operations, CancellationToken cancellationToken)
        {
            var waited = TimeSpan.Zero;
            for (var attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var exists = operations.Exists(target);
                if (exists && !overwrite) { throw new IOException($"'{target}' already exists."); }
                try
                {
                    if (exists) { operations.Replace(temp, target); }
                    else { operations.Move(temp, target); }
                    return;
                }
                catch (IOException ex) when (waited < Patience)
                {
                    waited += Wait(operations, attempt, ex);
                }
                catch (UnauthorizedAccessException ex) when (waited < Patience)
                {
                    waited += Wait(operations, attempt, ex);
                }
                catch (IOException ex)
                {
                    throw new IOException(HeldOpen(target, ex), ex);
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw new UnauthorizedAccessException(HeldOpen(target, ex), ex);
                }
            }
        }

        private static TimeSpan Wait(FileOperations operations, int attempt, Exception ex)
        {
            var delay = Delay(attempt);
            operations.Sleep(delay);
            return delay;
        }

        private static string HeldOpen(string target, Exception ex) =>
            $"Could not write '{target}': it stayed locked for {Patience.TotalSeconds:0} s, usually because another program " +
            $"(Excel, an editor, an antivirus scan) has it open. Close it and run again. ({ex.Message})";
    }

    /// <summary>The file-system calls <see cref="FileReplace"/> makes; tests substitute failing ones.</summary>
    internal sealed class FileOperations
    {
        public static readonly FileOperations System = new FileOperations();

        public Func<string, bool> Exists { get; set; } = File.Exists;

        public Action<string, string> Move { get; set; } = File.Move;

        public Action<string, string> Replace { get; set; } = (temp, target) => File.Replace(temp, target, null, ignoreMetadataErrors: true);

        public Action<TimeSpan> Sleep { get; set; } = delay => Thread.Sleep(delay);
    }
}
