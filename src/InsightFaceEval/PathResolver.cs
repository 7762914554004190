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

        /// <summary>
        /// Resolves a -Path parameter that also takes pipeline input. Values piped in (strings, or a Path property of
        /// an object such as a FaceCrop) are file names, taken literally: a crop named 'a[1].png' is that file, not a
        /// pattern that matches nothing. Values typed on the command line are wildcard patterns, except that an
        /// existing file whose name holds wildcard characters is taken as it is.
        /// </summary>
        public static List<string> ResolveInputFiles(PSCmdlet cmdlet, IEnumerable<string> paths, bool fromCommandLine, string errorIdPrefix)
        {
            if (!fromCommandLine) { return ResolveFiles(cmdlet, paths, true, errorIdPrefix); }
            var files = new List<string>();
            if (paths == null) { return files; }
            foreach (var path in paths)
            {
                files.AddRange(ResolveFiles(cmdlet, new[] { path }, IsExistingFileWithWildcardName(cmdlet, path), errorIdPrefix));
            }

            return files;
        }

        /// <summary>True for a path with wildcard characters that names an existing file as it is written.</summary>
        public static bool IsExistingFileWithWildcardName(PSCmdlet cmdlet, string path)
        {
            if (string.IsNullOrEmpty(path) || !WildcardPattern.ContainsWildcardCharacters(path)) { return false; }
            try
            {
                return File.Exists(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is PSArgumentException || ex is NotSupportedException)
            {
                return false;
            }
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
