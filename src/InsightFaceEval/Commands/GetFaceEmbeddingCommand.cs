using System;
using System.Collections.Generic;
using System.Globalization;
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
        private const string ErrorPrefix = "GetFaceEmbedding";
        private const string ServerUrlVariable = "INSIGHTFACE_SERVER_URL";
        private const int ProgressActivityId = 0x1FACE;
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        private ExtractionSession _session;
        private IEmbeddingBackend _backend;
        private ExtractionOptions _options;
        private IdentityMap _identityMap;
        private string _storeRoot;
        private bool _pathsFromCommandLine;
        private bool _askFirst;
        private bool _declined;
        private readonly List<ExtractionItem> _pending = new List<ExtractionItem>();
        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();
        private string _datasetRoot;
        private DateTime _lastProgress = DateTime.MinValue;
        private bool _progressShown;
        private double _smoothedRate;
        private long _lastCompleted;
        private TimeSpan _lastElapsed;

        /// <summary>Image files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalPathSet)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Image files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalLiteralPathSet)]
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
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Model { get; set; }

        /// <summary>The endpoint URL; defaults to $env:INSIGHTFACE_SERVER_URL.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public string ServerUrl { get; set; }

        /// <summary>Local ONNX recognition models to run instead of the endpoint.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LocalPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LocalLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string[] ModelPath { get; set; }

        /// <summary>The face detector that finds the face again in each crop; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string DetectorPath { get; set; }

        /// <summary>The landmark model that places the five alignment points; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string LandmarkPath { get; set; }

        /// <summary>The recogniser's pixel preset: insightface (default) or faceplugin.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ValidateSet(PixelNormalization.InsightFacePreset, PixelNormalization.FacePluginPreset, IgnoreCase = true)]
        public string Normalization { get; set; } = PixelNormalization.InsightFacePreset;

        /// <summary>A custom mean subtracted from every pixel value (InsightFace's input_mean).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ValidateRange(-255.0f, 255.0f)]
        public float InputMean { get; set; }

        /// <summary>A custom divisor of every centred pixel value (InsightFace's input_std).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [ValidateRange(0.001f, 100000.0f)]
        public float InputStd { get; set; }

        /// <summary>Channel order of the recogniser's input; default: the preset's (RGB).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        public ChannelOrder ChannelOrder { get; set; }

        /// <summary>
        /// Which face a local model embeds when its detector finds several in a crop: LargestCentered (default, as
        /// InsightFace picks), Largest, or RequireOne (such a crop is an error). New-FaceCrop's -FaceSelection values.
        /// </summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
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
        public double MaxRequestsPerSecond { get; set; }

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
        private bool UsesLocalModels => ModelPath != null;

        /// <summary>Requests (or local embeddings) at once: as given, else 4 for a server and one per core locally.</summary>
        private int EffectiveThrottleLimit =>
            MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) || !UsesLocalModels ? ThrottleLimit : Math.Max(1, Environment.ProcessorCount);

        protected override void BeginProcessing()
        {
            _identityMap = IdentityMapParameter.Load(this, IdentityMap, ErrorPrefix);
            var conflict = UsesLocalModels ? null : ModelNames.CaseConflict(Model, PathStyle.Current.Comparer);
            if (conflict != null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(conflict), ErrorPrefix + "ModelNameCaseConflict", ErrorCategory.InvalidArgument, Model));
            }

            // Paths bound now came from the command line (wildcards); later ones come from the pipeline (literal).
            _pathsFromCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Path));
            _backend = CreateBackend();
            _storeRoot = System.IO.Path.GetFullPath(string.IsNullOrEmpty(OutputDirectory)
                ? System.IO.Path.Combine(SessionState.Path.CurrentFileSystemLocation.ProviderPath, "embeddings")
                : PathResolver.ResolveOutputPath(this, OutputDirectory));
            _datasetRoot = string.IsNullOrEmpty(DatasetRoot) ? null : PathResolver.ResolveOutputPath(this, DatasetRoot);
            _options = new ExtractionOptions
            {
                Models = (UsesLocalModels ? LocalModelNames() : Model).Distinct(StringComparer.Ordinal).ToArray(),
                ThrottleLimit = EffectiveThrottleLimit,
                MaxRequestsPerSecond = MaxRequestsPerSecondIfGiven,
                MaximumRetryCount = MaximumRetryCount,
                MaximumRetryAfter = TimeSpan.FromSeconds(MaximumRetryAfterSec),
                Force = Force,
                RetryNoFace = RetryNoFace,
                SendFileName = SendFileName,
                RequireOneFace = UsesLocalModels && FaceSelection == Imaging.FaceSelection.RequireOne,
            };

            // -WhatIf and -Confirm need the counts per model, so the input is read first and nothing starts before
            // the answers. Otherwise the run streams: each image is sent as soon as it arrives.
            _askFirst = ShouldProcessWillAskOrSimulate();
            if (_askFirst) { return; }
            var models = _options.Models.Where(m => ShouldProcess(Target(m), Action())).ToArray();
            StartSession(models);
        }

        private double? MaxRequestsPerSecondIfGiven =>
            MyInvocation.BoundParameters.ContainsKey(nameof(MaxRequestsPerSecond)) ? MaxRequestsPerSecond : (double?)null;

        private string Target(string model) => UsesLocalModels ? $"local model '{model}'" : $"model '{model}'";

        private string Action() => UsesLocalModels ? "Embed face crops" : "Upload face crops to the endpoint";

        /// <summary>
        /// Whether ShouldProcess would print "What if" or ask (PowerShell's own rule: -WhatIf, $WhatIfPreference,
        /// -Confirm, or $ConfirmPreference at or below this command's Medium impact).
        /// </summary>
        private bool ShouldProcessWillAskOrSimulate()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("WhatIf", out var whatIf))
            {
                if (LanguagePrimitives.IsTrue(whatIf)) { return true; }
            }
            else if (LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
            {
                return true;
            }

            if (bound.TryGetValue("Confirm", out var confirm)) { return LanguagePrimitives.IsTrue(confirm); }
            var preference = GetVariableValue("ConfirmPreference");
            if (!(preference is ConfirmImpact level) && !Enum.TryParse(Convert.ToString(preference, CultureInfo.InvariantCulture), true, out level))
            {
                level = ConfirmImpact.High;
            }

            return level != ConfirmImpact.None && ConfirmImpact.Medium >= level;
        }

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
                store = EmbeddingStore.OpenOrCreate(_storeRoot);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new IOException($"Cannot use '{_storeRoot}' as the embedding store: {ex.Message}", ex),
                    ErrorPrefix + "StoreUnavailable", ErrorCategory.OpenError, _storeRoot));
                return;
            }

            _options.Models = models;
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

        /// <summary>
        /// Where requests go: the endpoint over HTTP, or local ONNX models (-ModelPath). Everything else (store, resume,
        /// concurrency, progress, output) is the same for both.
        /// </summary>
        private IEmbeddingBackend CreateBackend()
        {
            if (UsesLocalModels)
            {
                // A separate class, so ONNX Runtime is touched only when local models run.
                return LocalModelLoader.Open(this, ErrorPrefix, ResolveModelPaths(), LocalModelNames(), ResolveOptionalPath(DetectorPath),
                    ResolveOptionalPath(LandmarkPath), PixelNormalizationFromParameters(), FaceSelection);
            }

            var url = ResolveServerUrl();
            return new HttpEmbeddingBackend(url, TimeSpan.FromSeconds(TimeoutSec), ThrottleLimit);
        }

        private string[] ResolveModelPaths()
        {
            var paths = new string[ModelPath.Length];
            for (var i = 0; i < paths.Length; i++)
            {
                paths[i] = ResolveOptionalPath(ModelPath[i]);
            }

            return paths;
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

        /// <summary>The names the local models are stored under: -Model when given (one per file), else the file names.</summary>
        private string[] LocalModelNames()
        {
            if (Model == null)
            {
                return Array.ConvertAll(ModelPath, p => System.IO.Path.GetFileNameWithoutExtension(p));
            }

            if (Model.Length != ModelPath.Length)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"-Model names the local models, one name per -ModelPath file: got {Model.Length} names for {ModelPath.Length} files."),
                    ErrorPrefix + "ModelNameCountMismatch", ErrorCategory.InvalidArgument, Model));
            }

            return Model;
        }

        private PixelNormalization PixelNormalizationFromParameters()
        {
            var preset = PixelNormalization.FromPreset(Normalization);
            var bound = MyInvocation.BoundParameters;
            if (!bound.ContainsKey(nameof(InputMean)) && !bound.ContainsKey(nameof(InputStd)) && !bound.ContainsKey(nameof(ChannelOrder)))
            {
                return preset;
            }

            // Whatever is not given comes from the preset, so -InputStd 128 alone changes one number.
            return new PixelNormalization(
                PixelNormalization.CustomPreset,
                bound.ContainsKey(nameof(InputMean)) ? InputMean : preset.Mean,
                bound.ContainsKey(nameof(InputStd)) ? InputStd : preset.Std,
                bound.ContainsKey(nameof(ChannelOrder)) ? ChannelOrder : preset.Order);
        }

        private Uri ResolveServerUrl()
        {
            var fromParameter = MyInvocation.BoundParameters.ContainsKey(nameof(ServerUrl));
            var text = fromParameter ? ServerUrl : Environment.GetEnvironmentVariable(ServerUrlVariable);

            // The URL is confidential: keep it out of the invocation info that hosts and error records may copy.
            MyInvocation.BoundParameters.Remove(nameof(ServerUrl));
            if (string.IsNullOrWhiteSpace(text))
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

            if (!HttpEmbeddingBackend.TryValidateUrl(text, out var url, out var problem))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException(problem + (fromParameter ? " (from -ServerUrl)" : " (from $env:" + ServerUrlVariable + ")")),
                    ErrorPrefix + "ServerUrlInvalid", ErrorCategory.InvalidArgument, null));
            }

            return url;
        }

        protected override void ProcessRecord()
        {
            if (_declined) { return; }
            var literal = ParameterSetName == LiteralPathSet || ParameterSetName == LocalLiteralPathSet;
            var files = literal
                ? PathResolver.ResolveFiles(this, LiteralPath, true, ErrorPrefix)
                : PathResolver.ResolveInputFiles(this, Path, _pathsFromCommandLine, ErrorPrefix);
            foreach (var file in files)
            {
                if (DatasetPaths.IsUnder(file, _storeRoot))
                {
                    // Get-ChildItem -Recurse over a folder that holds the store would otherwise upload our own files.
                    WriteVerbose($"Skipping '{file}': it is inside the embedding store.");
                    continue;
                }

                var relative = RelativeKey(file, files.Count);
                var identity = string.IsNullOrEmpty(Identity) ? DatasetPaths.IdentityOf(file) : Identity;
                if (_identityMap != null && (identity = _identityMap.Find(file, relative)) == null)
                {
                    WriteError(IdentityMapParameter.NotMapped(_identityMap, relative, null, ErrorPrefix, file));
                    continue;
                }

                var item = new ExtractionItem(file, relative, identity);
                if (_session == null)
                {
                    _pending.Add(item);
                    continue;
                }

                Post(item);
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
                plan = ExtractionPlanner.Plan(_storeRoot, _pending, _options, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new IOException($"Cannot use '{_storeRoot}' as the embedding store: {ex.Message}", ex),
                    ErrorPrefix + "StoreUnavailable", ErrorCategory.OpenError, _storeRoot));
                return;
            }

            var accepted = new List<string>();
            foreach (var model in plan.Models)
            {
                var description = plan.Describe(model, UsesLocalModels, MaxRequestsPerSecondIfGiven);
                if (ShouldProcess(description, description + " Continue?", "Get-FaceEmbedding")) { accepted.Add(model.Model); }
            }

            StartSession(accepted.ToArray());
            if (_session == null) { return; }
            foreach (var item in _pending) { Post(item); }
            _pending.Clear();
        }

        private string RelativeKey(string file, int filesInRecord)
        {
            // A key carried by the input (FaceCrop.RelativePath) names one file; a wildcard that expands to several
            // cannot share it.
            if (!string.IsNullOrEmpty(RelativePath) && filesInRecord == 1) { return DatasetPaths.NormalizeKey(RelativePath); }
            if (_datasetRoot != null && DatasetPaths.IsUnder(file, _datasetRoot)) { return DatasetPaths.Relative(_datasetRoot, file); }
            var parent = DatasetPaths.IdentityOf(file);
            var name = System.IO.Path.GetFileName(file);
            return string.IsNullOrEmpty(parent) ? name : parent + "/" + name;
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
            IdentityMapParameter.WarnUnused(this, _identityMap);
            if (_progressShown)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, "Get-FaceEmbedding", "Done") { RecordType = ProgressRecordType.Completed });
            }
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
                        var record = ProblemRecords.ToErrorRecord(e.Error, ErrorPrefix);
                        if (e.Error.Terminating)
                        {
                            CompleteProgress();
                            ThrowTerminatingError(record);
                        }

                        WriteError(record);
                        break;
                }
            }

            ShowProgress();
        }


        private void ShowProgress()
        {
            var now = DateTime.UtcNow;
            if (now - _lastProgress < ProgressInterval) { return; }
            _lastProgress = now;
            var p = _session.GetProgress();
            if (p.Total == 0) { return; }

            // Rate over the recent past (smoothed), not since the start: stored results finish instantly.
            var dt = (p.Elapsed - _lastElapsed).TotalSeconds;
            if (dt > 0)
            {
                var instant = (p.Completed - _lastCompleted) / dt;
                _smoothedRate = _lastElapsed == TimeSpan.Zero ? instant : (0.7 * _smoothedRate) + (0.3 * instant);
            }

            _lastCompleted = p.Completed;
            _lastElapsed = p.Elapsed;
            var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} extractions ({2} {3}, {4} from the store, {5} failed), {6:0.0}/s",
                p.Completed, p.Total, p.Uploaded, UsesLocalModels ? "embedded locally" : "uploaded", p.FromStore, p.Failed, _smoothedRate);
            var record = new ProgressRecord(ProgressActivityId, "Get-FaceEmbedding", status)
            {
                PercentComplete = (int)Math.Min(100, p.Completed * 100 / Math.Max(1, p.Total)),
            };
            var left = p.Total - p.Completed;
            if (_smoothedRate > 0.01 && left > 0) { record.SecondsRemaining = (int)Math.Min(int.MaxValue, left / _smoothedRate); }
            if (p.PausedFor.HasValue)
            {
                record.CurrentOperation = string.Format(CultureInfo.InvariantCulture, "Rate limited by the server: resuming in {0:0} s", Math.Ceiling(p.PausedFor.Value.TotalSeconds));
            }
            else if (p.RateLimit.HasValue)
            {
                record.CurrentOperation = string.Format(CultureInfo.InvariantCulture, "At most {0:0.##} requests/s", p.RateLimit.Value);
            }

            _progressShown = true;
            WriteProgress(record);
        }

        private void CompleteProgress()
        {
            if (!_progressShown) { return; }
            WriteProgress(new ProgressRecord(ProgressActivityId, "Get-FaceEmbedding", "Stopped") { RecordType = ProgressRecordType.Completed });
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
