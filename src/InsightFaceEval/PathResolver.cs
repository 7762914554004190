using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// The -Path / -LiteralPath convention of Get-FileHash: wildcards through the provider,
    /// non-filesystem providers refused, one non-terminating error per failing item.
    /// </summary>
    internal static class PathResolver
    {
        /// <summary>
        /// Resolves <paramref name="paths"/> to existing files. Folders are passed over with a
        /// verbose message (so `Get-ChildItem -Recurse` pipes in cleanly); every other problem is
        /// a non-terminating error whose ErrorId starts with <paramref name="errorIdPrefix"/>.
        /// </summary>
        public static List<string> ResolveFiles(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, string errorIdPrefix)
        {
            var files = new List<string>();
            if (paths == null) { return files; }
            foreach (var path in paths)
            {
                if (string.IsNullOrWhiteSpace(path)) { continue; }
                foreach (var resolved in Resolve(cmdlet, path, literal, errorIdPrefix))
                {
                    if (Directory.Exists(resolved))
                    {
                        cmdlet.WriteVerbose($"Skipping folder '{resolved}'.");
                        continue;
                    }

                    if (!File.Exists(resolved))
                    {
                        cmdlet.WriteError(FileNotFound(resolved, errorIdPrefix));
                        continue;
                    }

                    files.Add(resolved);
                }
            }

            return files;
        }

        /// <summary>Resolves one output-style path (need not exist) on the FileSystem provider.</summary>
        public static string ResolveOutputPath(PSCmdlet cmdlet, string path)
        {
            var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                throw new PSArgumentException($"'{path}' is not a file system path.");
            }

            return resolved;
        }

        public static ErrorRecord FileNotFound(string path, string errorIdPrefix) =>
            new ErrorRecord(
                new FileNotFoundException($"Cannot find the file '{path}' because it does not exist.", path),
                errorIdPrefix + "FileNotFound",
                ErrorCategory.ObjectNotFound,
                path);

        private static IEnumerable<string> Resolve(PSCmdlet cmdlet, string path, bool literal, string errorIdPrefix)
        {
            var results = new List<string>();
            ProviderInfo provider;
            try
            {
                if (literal)
                {
                    results.Add(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _));
                }
                else
                {
                    results.AddRange(cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider));
                }
            }
            catch (ItemNotFoundException)
            {
                cmdlet.WriteError(FileNotFound(path, errorIdPrefix));
                return results;
            }
            catch (Exception ex) when (ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is PSArgumentException || ex is NotSupportedException)
            {
                cmdlet.WriteError(new ErrorRecord(ex, errorIdPrefix + "InvalidPath", ErrorCategory.InvalidArgument, path));
                return results;
            }

            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                cmdlet.WriteError(new ErrorRecord(
                    new PSArgumentException($"'{path}' is on the {provider.Name} provider; only file system paths are supported."),
                    errorIdPrefix + "NotFileSystemPath",
                    ErrorCategory.InvalidArgument,
                    path));
                results.Clear();
            }
            else if (!literal && results.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(path))
            {
                cmdlet.WriteError(FileNotFound(path, errorIdPrefix));
            }

            return results;
        }
    }
}
