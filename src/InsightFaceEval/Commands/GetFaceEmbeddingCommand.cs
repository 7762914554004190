using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Get-FaceEmbedding: uploads each face crop once per model to the hosted extraction endpoint (or runs local ONNX
    /// models, -ModelPath), stores every embedding as a .npy file with an index, and writes one FaceEmbedding per
    /// image and model. The parameters are declared in GetFaceEmbeddingCommand.Parameters.cs.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FaceEmbedding", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FaceEmbedding))]
    public sealed partial class GetFaceEmbeddingCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string LocalPathSet = "LocalModelPath";
        private const string LocalLiteralPathSet = "LocalModelLiteralPath";
        private const string PackPathSet = "ModelPackPath";
        private const string PackLiteralPathSet = "ModelPackLiteralPath";
        private const string ErrorPrefix = "GetFaceEmbedding";
        private const string ServerUrlVariable = "INSIGHTFACE_SERVER_URL";
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        private ExtractionSession _session;
        private IEmbeddingBackend _backend;
        private FaceEmbeddingRequest _request;
        private ExtractionOptions _options;
        private bool _pathsFromCommandLine;
        private bool _askFirst;
        private bool _declined;
        private readonly List<ExtractionItem> _pending = new List<ExtractionItem>();
        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();
        private ExtractionProgressBar _progress;

        // Not from ParameterSetName: with paths still to come from the pipeline, BeginProcessing sees the default set.
        private bool UsesLocalModels => ModelPath != null || ModelPack != null;

        // The pack's roles, for the store's provenance.
        private string _packSource;

        protected override void BeginProcessing()
        {
            // The cmdlet binds and resolves paths; the rules (model names, keys, identities, options) are Core's.
            var bound = MyInvocation.BoundParameters;
            _request = new FaceEmbeddingRequest
            {
                Models = Model,
                IdentityMap = IdentityMapParameter.Load(this, IdentityMap, ErrorPrefix),
                ThrottleLimit = bound.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : (int?)null,
                MaxRequestsPerSecond = bound.ContainsKey(nameof(MaximumRequestsPerSecond)) ? MaximumRequestsPerSecond : (double?)null,
                MaximumRetryCount = MaximumRetryCount,
                MaximumRetryAfter = TimeSpan.FromSeconds(MaximumRetryAfterSec),
                Force = Force,
                RetryNoFace = RetryNoFace,
                SendFileName = SendFileName,
                RequireOneFace = FaceSelection == Imaging.FaceSelection.RequireOne,
                // Not given: InsightFace's rule for the model's graph decides.
                NormalizationPreset = bound.ContainsKey(nameof(Normalization)) ? Normalization : null,
                InputMean = bound.ContainsKey(nameof(InputMean)) ? InputMean : (float?)null,
                InputStd = bound.ContainsKey(nameof(InputStd)) ? InputStd : (float?)null,
                ChannelOrder = bound.ContainsKey(nameof(ChannelOrder)) ? ChannelOrder : (ChannelOrder?)null,
            };
            var conflict = _request.CheckModelNames();
            if (conflict != null) { ProblemRecords.Report(this, conflict, ErrorPrefix); }

            CheckLocalModelChoice();

            // Paths bound now came from the command line (wildcards); later ones come from the pipeline (literal).
            _pathsFromCommandLine = bound.ContainsKey(nameof(Path));
            _backend = CreateBackend();
            _request.StoreRoot = System.IO.Path.GetFullPath(string.IsNullOrEmpty(OutputDirectory)
                ? System.IO.Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, "embeddings")
                : PathResolver.ResolveOutputPath(this, OutputDirectory));
            _request.DatasetRoot = string.IsNullOrEmpty(DatasetRoot) ? null : PathResolver.ResolveOutputPath(this, DatasetRoot);
            _options = _request.Options(_request.StoredModelNames());
            _progress = new ExtractionProgressBar(this, UsesLocalModels, ProgressInterval);

            // -WhatIf and -Confirm need the counts per model, so the input is read first and nothing starts before
            // the answers. Otherwise the run streams: each image is sent as soon as it arrives.
            _askFirst = ConfirmationPreference.WillAskOrSimulate(this, ConfirmImpact.Medium);
            if (_askFirst) { return; }
            var models = _options.Models.Where(m => ShouldProcess(Target(m), Action())).ToArray();
            StartSession(models);
        }

        private string Target(string model) => UsesLocalModels ? $"local model '{model}'" : $"model '{model}'";

        private string Action() => UsesLocalModels ? "Embed face crops" : "Upload face crops to the endpoint";

        /// <summary>Opens the store and starts the workers for <paramref name="models"/>; with none, nothing starts.</summary>
        private void StartSession(string[] models)
        {
            if (models.Length == 0)
            {
                _declined = true;
                return;
            }

            EmbeddingStore store;
            try
            {
                store = EmbeddingStore.OpenOrCreate(_request.StoreRoot);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
            {
                ThrowStoreUnavailable(ex);
                return;
            }

            _options = _request.Options(models);
            try
            {
                _session = new ExtractionSession(_backend, store, _options);
            }
            catch (StoreInUseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "StoreInUse", ErrorCategory.ResourceBusy, ex.Folder)
                {
                    ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Let the other run finish, or give this one another -OutputDirectory." },
                });
            }

            _backend = null; // the session owns it now
            WriteVerbose($"Embedding store: {store.Root}");
            Pump(wait: false);
        }

        private void ThrowStoreUnavailable(Exception ex) =>
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"Cannot use '{_request.StoreRoot}' as the embedding store: {ex.Message}", ex),
                ErrorPrefix + "StoreUnavailable", ErrorCategory.OpenError, _request.StoreRoot));

        /// <summary>Local models come from -ModelPath or -ModelPack: exactly one of them when a local-only parameter is used.</summary>
        private void CheckLocalModelChoice()
        {
            if (ModelPath != null && ModelPack != null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("-ModelPath and -ModelPack both name the recogniser; use one of them."),
                    ErrorPrefix + "ModelPathAndModelPack", ErrorCategory.InvalidArgument, ModelPack));
            }

            var localOnly = new[] { nameof(DetectorPath), nameof(LandmarkPath), nameof(Normalization), nameof(InputMean), nameof(InputStd), nameof(ChannelOrder), nameof(FaceSelection), nameof(DetectionSize) };
            if (!UsesLocalModels && localOnly.Any(MyInvocation.BoundParameters.ContainsKey))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("The local-model parameters need the local recogniser: name it with -ModelPath or -ModelPack."),
                    ErrorPrefix + "ModelPathMissing", ErrorCategory.InvalidArgument, null));
            }
        }

        /// <summary>
        /// Where requests go: the endpoint over HTTP, or local ONNX models (-ModelPath). Everything else (store, resume,
        /// concurrency, progress, output) is the same for both.
        /// </summary>
        private IEmbeddingBackend CreateBackend()
        {
            if (UsesLocalModels)
            {
                var detector = ResolveOptionalPath(DetectorPath);
                if (ModelPack != null)
                {
                    LocalModelLoader.ResolvePack(this, ErrorPrefix, ResolveOptionalPath(ModelPack), out var recognizer, out var packDetector, out _packSource);
                    _request.ModelPaths = new[] { recognizer };
                    if (detector == null) { detector = packDetector; }
                    else { WriteVerbose("-DetectorPath names the detector; the pack's is not used."); }
                }
                else
                {
                    _request.ModelPaths = Array.ConvertAll(ModelPath, ResolveOptionalPath);
                }

                if (!_request.ModelNamesMatchModelPaths)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSArgumentException($"-Model names the local models, one name per -ModelPath file (or per pack recogniser): got {Model.Length} names for {_request.ModelPaths.Count} files."),
                        ErrorPrefix + "ModelNameCountMismatch", ErrorCategory.InvalidArgument, Model));
                }

                // A separate class, so ONNX Runtime is touched only when local models run.
                return LocalModelLoader.Open(this, ErrorPrefix, _request.ModelPaths, _request.StoredModelNames(), detector,
                    ResolveOptionalPath(LandmarkPath), _request.Normalization(), FaceSelection, DetectionSize, _packSource);
            }

            InsightFaceServerConnection.CheckParameters(this, ErrorPrefix, Api, Model);
            if (Api == EndpointApi.InsightFaceServer)
            {
                return InsightFaceServerConnection.Open(this, ErrorPrefix, ServerUrl, ApiKey, CollectionId, TimeSpan.FromSeconds(TimeoutSec), ThrottleLimit);
            }

            return new HttpEmbeddingBackend(ResolveEndpoint(), TimeSpan.FromSeconds(TimeoutSec), ThrottleLimit);
        }

        private string ResolveOptionalPath(string path)
        {
            if (string.IsNullOrEmpty(path)) { return null; }
            try
            {
                return PathResolver.ResolveOutputPath(this, path);
            }
            catch (Exception ex) when (ex is PSArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidModelPath", ErrorCategory.InvalidArgument, path));
                return null;
            }
        }

        /// <summary>-ServerUrl (a string or a SecureString), else $env:INSIGHTFACE_SERVER_URL; never shown in any message.</summary>
        private EndpointAddress ResolveEndpoint()
        {
            var fromParameter = MyInvocation.BoundParameters.ContainsKey(nameof(ServerUrl));
            var endpoint = fromParameter ? ServerUrl ?? EndpointAddress.FromText(null) : EndpointAddress.FromText(Environment.GetEnvironmentVariable(ServerUrlVariable));
            if (endpoint.IsEmpty)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException(
                        "No endpoint URL. Pass -ServerUrl, or set it once for this session: $env:" + ServerUrlVariable + " = '<the URL from the MOU email>'. " +
                        "Keep it out of scripts and shared files: it is confidential."),
                    ErrorPrefix + "ServerUrlMissing", ErrorCategory.InvalidArgument, null)
                {
                    ErrorDetails = new ErrorDetails(string.Empty) { RecommendedAction = "Set $env:" + ServerUrlVariable + " or pass -ServerUrl." },
                });
            }

            if (!endpoint.IsValid)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException(endpoint.Problem + (fromParameter ? " (from -ServerUrl)" : " (from $env:" + ServerUrlVariable + ")")),
                    ErrorPrefix + "ServerUrlInvalid", ErrorCategory.InvalidArgument, null));
            }

            return endpoint;
        }

        protected override void ProcessRecord()
        {
            if (_declined) { return; }
            var literal = ParameterSetName == LiteralPathSet || ParameterSetName == LocalLiteralPathSet || ParameterSetName == PackLiteralPathSet;
            var files = literal
                ? PathResolver.ResolveFiles(this, LiteralPath, true, ErrorPrefix)
                : PathResolver.ResolveInputFiles(this, Path, _pathsFromCommandLine, ErrorPrefix);
            foreach (var file in files)
            {
                var input = _request.Prepare(file, files.Count, RelativePath, Identity);
                if (input.SkipReason != null)
                {
                    WriteVerbose(input.SkipReason);
                    continue;
                }

                if (input.UnmappedKey != null)
                {
                    WriteError(IdentityMapParameter.NotMapped(_request.IdentityMap, input.UnmappedKey, null, ErrorPrefix, file));
                    continue;
                }

                if (_session == null)
                {
                    _pending.Add(input.Item);
                    continue;
                }

                Post(input.Item);
            }

            if (_session != null) { Pump(wait: false); }
        }

        private void Post(ExtractionItem item)
        {
            while (!_session.TryPost(item))
            {
                Pump(wait: true);
            }
        }

        /// <summary>
        /// -WhatIf / -Confirm: what the run would do per model, from the input and the store (read-only), then one
        /// ShouldProcess per model. Under -WhatIf that prints the plan; under -Confirm the accepted models run.
        /// </summary>
        private void AskThenStart()
        {
            ExtractionPlan plan;
            try
            {
                plan = ExtractionPlanner.Plan(_request.StoreRoot, _pending, _options, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
            {
                ThrowStoreUnavailable(ex);
                return;
            }

            var accepted = new List<string>();
            foreach (var model in plan.Models)
            {
                var description = plan.Describe(model, UsesLocalModels, _request.MaxRequestsPerSecond);
                if (ShouldProcess(description, description + " Continue?", "Get-FaceEmbedding")) { accepted.Add(model.Model); }
            }

            StartSession(accepted.ToArray());
            if (_session == null) { return; }
            foreach (var item in _pending) { Post(item); }
            _pending.Clear();
        }

        protected override void EndProcessing()
        {
            if (_askFirst && !_declined && _session == null) { AskThenStart(); }
            if (_session == null) { return; }
            _session.Complete();
            while (!_session.IsFinished)
            {
                Pump(wait: true);
            }

            Pump(wait: false);
            IdentityMapParameter.WarnUnused(this, _request.IdentityMap);
            _progress.Complete("Done");
        }

        protected override void StopProcessing()
        {
            _stop.Cancel();
            _session?.Cancel();
        }

        /// <summary>Writes what the workers queued; with <paramref name="wait"/>, first blocks until there is something.</summary>
        private void Pump(bool wait)
        {
            if (wait) { _session.WaitForActivity(ProgressInterval); }
            while (_session.TryTake(out var e))
            {
                switch (e.Kind)
                {
                    case ExtractionEventKind.Output:
                        WriteObject(e.Embedding);
                        break;
                    case ExtractionEventKind.Warning:
                        WriteWarning(e.Message);
                        break;
                    case ExtractionEventKind.Verbose:
                        WriteVerbose(e.Message);
                        break;
                    case ExtractionEventKind.Error:
                        var record = ProblemRecords.ToErrorRecord(Api == EndpointApi.InsightFaceServer ? InsightFaceServerConnection.WithHint(e.Error) : e.Error, ErrorPrefix);
                        if (e.Error.Terminating)
                        {
                            _progress.Complete("Stopped");
                            ThrowTerminatingError(record);
                        }

                        WriteError(record);
                        break;
                }
            }

            _progress.Show(_session.GetProgress);
        }

        public void Dispose()
        {
            _session?.Dispose();
            _session = null;
            _backend?.Dispose(); // never handed to a session (-WhatIf, every model declined)
            _backend = null;
            _stop.Dispose();
        }
    }
}
