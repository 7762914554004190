using System;
using System.IO;
using System.Management.Automation;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// -IdentityMap, as New-FaceCrop, Get-FaceEmbedding and Import-FaceEmbedding take it: the CSV is read once in
    /// BeginProcessing (a missing or malformed file stops the command), each input no row matches is a
    /// non-terminating <c>&lt;Cmdlet&gt;IdentityNotMapped</c> error, and rows that matched nothing are one warning at the end.
    /// </summary>
    internal static class IdentityMapParameter
    {
        public static IdentityMap Load(PSCmdlet cmdlet, string path, string errorPrefix)
        {
            if (string.IsNullOrEmpty(path)) { return null; }
            string full;
            try
            {
                full = PathResolver.ResolveOutputPath(cmdlet, path);
            }
            catch (Exception ex) when (ex is PSArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is NotSupportedException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorPrefix + "InvalidIdentityMap", ErrorCategory.InvalidArgument, path));
                return null;
            }

            if (!File.Exists(full)) { cmdlet.ThrowTerminatingError(PathResolver.FileNotFound(full, errorPrefix + "IdentityMap")); }
            try
            {
                var map = IdentityMap.Load(full);
                cmdlet.WriteVerbose($"Identity map '{full}': {map.Entries.Count} row(s).");
                return map;
            }
            catch (Exception ex) when (ex is FormatException || ex is IOException || ex is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorPrefix + "InvalidIdentityMap", ErrorCategory.InvalidData, full));
                return null;
            }
        }

        /// <summary>The error for an input the map has no row for; <paramref name="target"/> is the input.</summary>
        public static ErrorRecord NotMapped(IdentityMap map, string input, FaceDetection face, string errorPrefix, object target) =>
            new ErrorRecord(new ItemNotFoundException(map.NotMappedMessage(input, face)), errorPrefix + "IdentityNotMapped", ErrorCategory.ObjectNotFound, target)
            {
                ErrorDetails = new ErrorDetails(map.NotMappedMessage(input, face)) { RecommendedAction = $"Add a row for it to '{map.Source}'." },
            };

        /// <summary>One warning, at the end, for rows that matched no input (often a typo or a moved folder).</summary>
        public static void WarnUnused(PSCmdlet cmdlet, IdentityMap map)
        {
            var message = map?.UnusedMessage();
            if (message != null) { cmdlet.WriteWarning(message); }
        }
    }
}
