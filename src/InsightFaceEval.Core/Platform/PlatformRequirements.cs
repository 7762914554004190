using System;

namespace InsightFaceEval.Platform
{
    /// <summary>
    /// What the module needs from its host, checked when it is imported: .NET Framework 4.7.2 or later under
    /// Windows PowerShell (Desktop), PowerShell 7.4 or later under PowerShell 7 (Core).
    /// </summary>
    public static class PlatformRequirements
    {
        /// <summary>The registry <c>Release</c> value of .NET Framework 4.7.2 (HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full).</summary>
        public const int NetFramework472Release = 461808;

        /// <summary>The oldest PowerShell 7 the module supports.</summary>
        public static readonly Version MinimumCoreVersion = new Version(7, 4);

        /// <summary>
        /// Null when the host is supported, else the message to stop the import with.
        /// </summary>
        /// <param name="edition">"Desktop" (Windows PowerShell) or "Core" (PowerShell 6 and later).</param>
        /// <param name="powerShellVersion">$PSVersionTable.PSVersion.</param>
        /// <param name="frameworkRelease">The .NET Framework <c>Release</c> registry value (Desktop only); null when it could not be read,
        /// which is not held against the host.</param>
        public static string Check(string edition, Version powerShellVersion, int? frameworkRelease)
        {
            if (string.Equals(edition, "Desktop", StringComparison.OrdinalIgnoreCase))
            {
                if (frameworkRelease.HasValue && frameworkRelease.Value < NetFramework472Release)
                {
                    return "InsightFaceEval needs .NET Framework 4.7.2 or later; this computer has " + FrameworkName(frameworkRelease.Value) +
                           " (registry Release value " + frameworkRelease.Value + "). Install .NET Framework 4.8, or run the module in PowerShell 7.4 or later.";
                }

                return null;
            }

            if (powerShellVersion != null && powerShellVersion < MinimumCoreVersion)
            {
                return "InsightFaceEval needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this is PowerShell " + powerShellVersion +
                       ". Install the current PowerShell 7 release.";
            }

            return null;
        }

        /// <summary>The .NET Framework version a registry Release value stands for (its documented minimums).</summary>
        public static string FrameworkName(int release)
        {
            if (release >= 533320) { return ".NET Framework 4.8.1"; }
            if (release >= 528040) { return ".NET Framework 4.8"; }
            if (release >= 461808) { return ".NET Framework 4.7.2"; }
            if (release >= 461308) { return ".NET Framework 4.7.1"; }
            if (release >= 460798) { return ".NET Framework 4.7"; }
            if (release >= 394802) { return ".NET Framework 4.6.2"; }
            if (release >= 394254) { return ".NET Framework 4.6.1"; }
            if (release >= 393295) { return ".NET Framework 4.6"; }
            if (release >= 379893) { return ".NET Framework 4.5.2"; }
            if (release >= 378675) { return ".NET Framework 4.5.1"; }
            return ".NET Framework 4.5";
        }
    }
}
