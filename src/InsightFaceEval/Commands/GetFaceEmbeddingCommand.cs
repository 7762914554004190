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
    /// image and model.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FaceEmbedding", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FaceEmbedding))]
    public sealed class GetFaceEmbeddingCommand : PSCmdlet, IDisposable
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

        /// <summary>Image files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalPathSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PackPathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Image files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalLiteralPathSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PackLiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>
        /// Model names; completes the four known ones and accepts any other. With -ModelPath: the names the local
        /// models are stored under, one per file (default: each file's name without its extension).
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Model { get; set; }

        /// <summary>
        /// The endpoint URL, as a string or a SecureString (Get-Secret); defaults to $env:INSIGHTFACE_SERVER_URL.
        /// Held as an <see cref="EndpointAddress"/> from binding on, so it prints as "&lt;endpoint&gt;" everywhere.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [EndpointTransformation]
        public EndpointAddress ServerUrl { get; set; }

        /// <summary>The API the URL speaks: Hosted (default) or InsightFaceServer (a base URL, POST /v1/embeddings).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public EndpointApi Api { get; set; }

        /// <summary>InsightFace Server's API key (a SecureString, e.g. from Get-Secret); default: $env:INSIGHTFACE_SERVER_API_KEY.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public System.Security.SecureString ApiKey { get; set; }

        /// <summary>InsightFace Server's Collection whose detection profile the server uses; default: the server's own.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string CollectionId { get; set; }

        /// <summary>Local ONNX recognition models to run instead of the endpoint (or -ModelPack).</summary>
        [Parameter(Mandatory = true, ParameterSetName = LocalPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LocalLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string[] ModelPath { get; set; }

        /// <summary>A folder laid out like an InsightFace model pack: its recogniser and detector, found by their shapes.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PackPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string ModelPack { get; set; }

        /// <summary>The square size an SCRFD or RetinaFace detector with a free input size runs at (InsightFace's det_size).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(32, 4096)]
        public int DetectionSize { get; set; } = 640;

        /// <summary>The face detector that finds the face again in each crop; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string DetectorPath { get; set; }

        /// <summary>The landmark model that places the five alignment points; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string LandmarkPath { get; set; }

        /// <summary>The recogniser's pixel preset: insightface (default) or faceplugin.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateSet(PixelNormalization.InsightFacePreset, PixelNormalization.FacePluginPreset, IgnoreCase = true)]
        public string Normalization { get; set; } = PixelNormalization.InsightFacePreset;

        /// <summary>A custom mean subtracted from every pixel value (InsightFace's input_mean).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(-255.0f, 255.0f)]
        public float InputMean { get; set; }

        /// <summary>A custom divisor of every centred pixel value (InsightFace's input_std).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(0.001f, 100000.0f)]
        public float InputStd { get; set; }

        /// <summary>Channel order of the recogniser's input; default: the preset's (RGB).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        public ChannelOrder ChannelOrder { get; set; }

        /// <summary>
        /// Which face a local model embeds when its detector finds several in a crop: LargestCentered (default, as
        /// InsightFace picks), Largest, or RequireOne (such a crop is an error). New-FaceCrop's -FaceSelection values.
        /// </summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateSet(nameof(Imaging.FaceSelection.LargestCentered), nameof(Imaging.FaceSelection.Largest), nameof(Imaging.FaceSelection.RequireOne), IgnoreCase = true)]
        public Imaging.FaceSelection FaceSelection { get; set; } = Imaging.FaceSelection.LargestCentered;

        /// <summary>The dataset key of the image (bound from input objects that carry one, such as FaceCrop).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RelativePath { get; set; }

        /// <summary>Identity label (bound from input objects that carry one); defaults to the parent folder's name.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Identity { get; set; }

        /// <summary>A CSV of path,identity: every image's identity comes from it (see about the identity map in the help).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string IdentityMap { get; set; }

        /// <summary>The dataset's root folder, for relative paths of inputs that carry none.</summary>
        [Parameter]
        public string DatasetRoot { get; set; }

        /// <summary>The embedding store; defaults to "embeddings" in the current folder.</summary>
        [Parameter]
        public string OutputDirectory { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 4;

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0.01, 100000.0)]
        [Alias("MaxRequestsPerSecond")]
        public double MaximumRequestsPerSecond { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0, 100)]
        public int MaximumRetryCount { get; set; } = 5;

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 120;

        /// <summary>Longest wait honoured for one 429's Retry-After; a longer one is cut to this.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0, 86400)]
        public int MaximumRetryAfterSec { get; set; } = 120;

        /// <summary>Send the file's real name instead of its content hash.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public SwitchParameter SendFileName { get; set; }

        /// <summary>Ask again for images the store records as failures to acquire.</summary>
        [Parameter]
        public SwitchParameter RetryNoFace { get; set; }

        /// <summary>Extract again even when the store has a result.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

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
