using System;
using System.IO;
using System.Management.Automation;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Import-FaceEmbedding: reads an embedding store (or loose .npy files) back as FaceEmbedding objects, so
    /// extraction and scoring can run at different times.
    /// </summary>
    [Cmdlet(VerbsData.Import, "FaceEmbedding", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(FaceEmbedding))]
    public sealed class ImportFaceEmbeddingCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ErrorPrefix = "ImportFaceEmbedding";

        private string _datasetRoot;
        private bool _pathsFromCommandLine;
        private IdentityMap _identityMap;

        /// <summary>A store, a model folder, a folder of .npy files or .npy files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>The same, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>Store: the models to read. Loose .npy files: the model that made them (exactly one).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Model { get; set; }

        /// <summary>Store: where the images are now. Loose files: the folder their relative paths start from.</summary>
        [Parameter]
        public string DatasetRoot { get; set; }

        /// <summary>A CSV of path,identity: every embedding's identity comes from it instead of the store.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string IdentityMap { get; set; }

        protected override void BeginProcessing()
        {
            // Paths bound now came from the command line (wildcards); later ones are piped file names (literal).
            _pathsFromCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Path));
            _identityMap = IdentityMapParameter.Load(this, IdentityMap, ErrorPrefix);
            _datasetRoot = string.IsNullOrEmpty(DatasetRoot) ? null : PathResolver.ResolveOutputPath(this, DatasetRoot);
        }

        protected override void ProcessRecord()
        {
            var literal = ParameterSetName == LiteralPathSet;
            foreach (var target in ResolveTargets(literal ? LiteralPath : Path, literal || !_pathsFromCommandLine))
            {
                try
                {
                    foreach (var result in EmbeddingImport.Read(target, Model, _datasetRoot))
                    {
                        if (result.Embedding != null) { Write(result.Embedding); }
                        else { WriteError(ProblemRecords.ToErrorRecord(result.Error, ErrorPrefix)); }
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
                {
                    WriteError(new ErrorRecord(ex, ErrorPrefix + "InvalidStore", ErrorCategory.InvalidData, target));
                }
            }
        }

        protected override void EndProcessing() => IdentityMapParameter.WarnUnused(this, _identityMap);

        private void Write(FaceEmbedding embedding)
        {
            if (_identityMap == null)
            {
                WriteObject(embedding);
                return;
            }

            var identity = _identityMap.Find(embedding.Path, embedding.RelativePath);
            if (identity == null) { WriteError(IdentityMapParameter.NotMapped(_identityMap, embedding.RelativePath, null, ErrorPrefix, embedding)); }
            else { WriteObject(embedding.WithIdentity(identity)); }
        }

        private System.Collections.Generic.List<string> ResolveTargets(string[] paths, bool literal)
        {
            // Folders are valid targets here (a store, a model folder), so resolve through the provider directly.
            var targets = new System.Collections.Generic.List<string>();
            foreach (var path in paths)
            {
                try
                {
                    ProviderInfo provider;
                    var resolved = literal || PathResolver.IsExistingFileWithWildcardName(this, path) || IsExistingFolderWithWildcardName(path)
                        ? new System.Collections.ObjectModel.Collection<string> { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _) }
                        : SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                    if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                    {
                        WriteError(new ErrorRecord(new PSArgumentException($"'{path}' is on the {provider.Name} provider; only file system paths are supported."),
                            ErrorPrefix + "NotFileSystemPath", ErrorCategory.InvalidArgument, path));
                        continue;
                    }

                    foreach (var item in resolved)
                    {
                        if (File.Exists(item) || Directory.Exists(item)) { targets.Add(item); }
                        else { WriteError(PathResolver.FileNotFound(item, ErrorPrefix)); }
                    }
                }
                catch (ItemNotFoundException)
                {
                    WriteError(PathResolver.FileNotFound(path, ErrorPrefix));
                }
                catch (Exception ex) when (ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is PSArgumentException || ex is NotSupportedException)
                {
                    WriteError(new ErrorRecord(ex, ErrorPrefix + "InvalidPath", ErrorCategory.InvalidArgument, path));
                }
            }

            return targets;
        }

        private bool IsExistingFolderWithWildcardName(string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path)) { return false; }
            try { return Directory.Exists(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)); }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is PSArgumentException || ex is NotSupportedException) { return false; }
        }

    }
}
