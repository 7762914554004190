using System;
using System.IO;

namespace InsightFaceEval.Tests
{
    /// <summary>The repository a test runs in (the folder with build.ps1). Linked into every xunit project.</summary>
    internal static class TestRepository
    {
        private static readonly Lazy<string> Root = new Lazy<string>(FindRoot);

        /// <summary>The repository root (the folder with build.ps1).</summary>
        public static string RootDirectory => Root.Value;

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "build.ps1")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The repository root (with build.ps1) is not above " + AppContext.BaseDirectory);
        }
    }
}
