using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Xunit;

namespace InsightFaceEval.Tests
{
    /// <summary>
    /// The independent numpy implementations in ../Reference, run by a python3 that imports numpy (Debian's first;
    /// .ci/run installs python3-numpy). Where there is none, the tests that need it are reported as skipped, with the reason.
    /// </summary>
    internal static class NumpyReference
    {
        private static readonly Lazy<string> Found = new Lazy<string>(Find);

        /// <summary>The python to run, or null.</summary>
        public static string Python => Found.Value;

        public static string MissingReason => Python == null
            ? "no python3 with numpy is installed (Debian: apt-get install python3-numpy; .ci/run installs it), so the independent numpy reference cannot run"
            : null;

        private static string Find()
        {
            foreach (var candidate in new[] { "/usr/bin/python3", "python3", "python" })
            {
                try
                {
                    var (code, _, _) = Start(candidate, "-c \"import numpy\"");
                    if (code == 0) { return candidate; }
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // Not installed under that name.
                }
            }

            return null;
        }

        /// <summary>Runs Reference/<paramref name="scriptName"/> on <paramref name="folder"/> and parses the JSON it prints.</summary>
        public static JsonElement Run(string python, string folder, string scriptName)
        {
            var script = Path.Combine(TestRepository.RootDirectory, "tests", "InsightFaceEval.Core.Tests", "Reference", scriptName);
            var (code, output, error) = Start(python, $"\"{script}\" \"{folder}\"");
            Assert.True(code == 0, "The numpy reference failed: " + error);
            return JsonDocument.Parse(output).RootElement.Clone();
        }

        private static (int, string, string) Start(string file, string arguments)
        {
            var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using (var process = Process.Start(start))
            {
                var error = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return (process.ExitCode, output, error.Result);
            }
        }
    }

    /// <summary>A fact checked against the numpy reference: skipped, with the reason, where no python3 with numpy is installed.</summary>
    public sealed class NumpyFactAttribute : FactAttribute
    {
        public NumpyFactAttribute()
        {
            Skip = NumpyReference.MissingReason;
        }
    }

    /// <summary>A theory checked against the numpy reference: skipped, with the reason, where no python3 with numpy is installed.</summary>
    public sealed class NumpyTheoryAttribute : TheoryAttribute
    {
        public NumpyTheoryAttribute()
        {
            Skip = NumpyReference.MissingReason;
        }
    }
}
