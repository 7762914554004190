using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Faces;
using InsightFaceEval.Imaging;
using InsightFaceEval.IO;
using InsightFaceEval.Threading;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// New-FaceCrop: turns detector boxes into lossless single-face PNG crops with the vendor helper's
    /// geometry. Images are decoded and encoded on worker threads; every object, error, warning, prompt
    /// and file write happens here on the pipeline thread, in input order.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "FaceCrop", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FaceCrop))]
    public sealed class NewFaceCropCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string DetectionSet = "DetectionPath";
        private const string ErrorPrefix = "NewFaceCrop";
        private const int ProgressId = 0x46A0;

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<PendingImage> _buffered = new List<PendingImage>();
        private readonly Dictionary<string, PendingImage> _bufferedByPath = new Dictionary<string, PendingImage>(PathComparer);
        private readonly Dictionary<string, int> _facesSeen = new Dictionary<string, int>(PathComparer);
        private static readonly StringComparer PathComparer = System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        private readonly HashSet<string> _written = new HashSet<string>(PathComparer);
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private PendingImage _open;
        private FaceCropper _cropper;
        private OrderedWorkQueue<CropJob, CropJobResult> _queue;
        private string _outputDirectory;
        private string _datasetRoot;
        private IdentityMap _identityMap;
        private int _total = -1;
        private int _done;
        private TimeSpan _lastProgress = TimeSpan.FromSeconds(-1);

        /// <summary>Image files; wildcards are expanded.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Image files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>A detections file (JSON or CSV) naming the images and their faces.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DetectionSet)]
        [ValidateNotNullOrEmpty]
        public string DetectionPath { get; set; }

        /// <summary>Folder the crops are written under.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string OutputDirectory { get; set; }

        /// <summary>One or more boxes, four numbers each (see -BoxFormat).</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Box", "BBox")]
        [NumberListTransformation(typeof(double))]
        public double[] BoundingBox { get; set; }

        /// <summary>How four box numbers are read: XYWH (x, y, width, height) or XYXY (x1, y1, x2, y2).</summary>
        [Parameter]
        public BoxFormat BoxFormat { get; set; }

        /// <summary>Left edge of the box (with Y, Width, Height).</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? X { get; set; }

        /// <summary>Top edge of the box.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? Y { get; set; }

        /// <summary>Box width.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? Width { get; set; }

        /// <summary>Box height.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? Height { get; set; }

        /// <summary>Left edge (with Y1, X2, Y2).</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? X1 { get; set; }

        /// <summary>Top edge.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? Y1 { get; set; }

        /// <summary>Right edge (exclusive).</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? X2 { get; set; }

        /// <summary>Bottom edge (exclusive).</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        public double? Y2 { get; set; }

        /// <summary>Five landmarks per box, ten numbers x1, y1, ..., x5, y5, in source pixels.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Kps")]
        [NumberListTransformation(typeof(float))]
        public float[] Landmarks { get; set; }

        /// <summary>The detector's score, carried into the crop.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Score", "det_score")]
        public float? DetectionScore { get; set; }

        /// <summary>Root the source folders are kept relative to; default the sources' common parent.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DatasetRoot { get; set; }

        /// <summary>A CSV of path,identity (optionally x, y, width, height for one face): each crop's identity comes from it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string IdentityMap { get; set; }

        /// <summary>Total margin ratio around the box.</summary>
        [Parameter]
        [ValidateRange(0.0, 10.0)]
        public double ExpansionFactor { get; set; } = 0.2;

        /// <summary>Longest side of a saved crop; 0 disables downscaling.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxSide { get; set; } = 256;

        /// <summary>Which faces of an image to crop.</summary>
        [Parameter]
        public FaceSelection FaceSelection { get; set; } = FaceSelection.All;

        /// <summary>Largest image accepted, in pixels, checked from the header before decoding.</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long MaxPixels { get; set; } = 100_000_000;

        /// <summary>Crop the stored pixels as they are, without applying the EXIF orientation.</summary>
        [Parameter]
        public SwitchParameter IgnoreOrientation { get; set; }

        /// <summary>Overwrite crops that already exist.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Images decoded at once (default: one per processor).</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        private sealed class PendingImage
        {
            public string SourcePath;
            public List<FaceDetection> Faces = new List<FaceDetection>();
        }

        protected override void BeginProcessing()
        {
            _outputDirectory = PathResolver.ResolveOutputPath(this, OutputDirectory);
            if (DatasetRoot != null) { _datasetRoot = PathResolver.ResolveOutputPath(this, DatasetRoot); }
            _identityMap = IdentityMapParameter.Load(this, IdentityMap, ErrorPrefix);
            var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
                ? ((SwitchParameter)w).IsPresent
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            _cropper = new FaceCropper(new CropOptions
            {
                OutputDirectory = _outputDirectory,
                ExpansionFactor = ExpansionFactor,
                MaxSide = MaxSide,
                MaxPixels = MaxPixels,
                ApplyOrientation = !IgnoreOrientation.IsPresent,
                Selection = FaceSelection,
                Force = Force.IsPresent,
                Encode = !whatIf,
            });
            _queue = new OrderedWorkQueue<CropJob, CropJobResult>(_cropper.Process, ThrottleLimit, ThrottleLimit * 2, _stop.Token);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == DetectionSet)
            {
                ReadDetectionFile();
                return;
            }

            var files = ResolveInput();
            if (files.Count == 0) { return; }
            List<FaceDetection> faces;
            try
            {
                faces = BoxesOfThisRecord();
            }
            catch (FormatException ex)
            {
                foreach (var file in files)
                {
                    WriteError(new ErrorRecord(new ArgumentException(ex.Message, ex), ErrorPrefix + nameof(CropProblem.InvalidBox), ErrorCategory.InvalidArgument, file));
                }

                return;
            }

            foreach (var file in files)
            {
                // Faces of one image arrive as consecutive records (Find-Face, a sorted CSV): gather them.
                if (_open != null && !SamePath(_open.SourcePath, file)) { Close(); }
                if (_open == null) { _open = new PendingImage { SourcePath = file }; }
                _open.Faces.AddRange(faces);
            }

            Drain(block: false);
        }

        protected override void EndProcessing()
        {
            Close();
            if (_datasetRoot == null && _buffered.Count > 0)
            {
                // The default root, the sources' common parent, is known only once every source is in.
                _datasetRoot = DatasetPaths.CommonParent(_buffered.Select(b => b.SourcePath));
                _total = _buffered.Count;
                foreach (var image in _buffered)
                {
                    Submit(image);
                }

                _buffered.Clear();
                _bufferedByPath.Clear();
            }

            Drain(block: true);
            IdentityMapParameter.WarnUnused(this, _identityMap);
            if (_done > 0) { WriteProgress(new ProgressRecord(ProgressId, "New-FaceCrop", "Done") { RecordType = ProgressRecordType.Completed }); }
        }

        protected override void StopProcessing()
        {
            _stop.Cancel();
            _queue?.Cancel();
        }

        public void Dispose()
        {
            _queue?.Dispose();
            _stop.Dispose();
        }

        private List<string> ResolveInput()
        {
            var literal = ParameterSetName == LiteralPathSet;
            var files = new List<string>();
            foreach (var p in (literal ? LiteralPath : Path) ?? Array.Empty<string>())
            {
                var asLiteral = literal;
                if (!asLiteral && WildcardPattern.ContainsWildcardCharacters(p))
                {
                    // A real file whose name has brackets (piped in by property name) is meant as it is.
                    try { asLiteral = File.Exists(SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)); }
                    catch (Exception ex) when (ex is ItemNotFoundException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is PSArgumentException || ex is NotSupportedException) { }
                }

                files.AddRange(PathResolver.ResolveFiles(this, new[] { p }, asLiteral, ErrorPrefix));
            }

            return files;
        }

        // The record's boxes: -BoundingBox wins, then X1/Y1/X2/Y2, then X/Y/Width/Height.
        private List<FaceDetection> BoxesOfThisRecord()
        {
            if (BoundingBox != null && BoundingBox.Length > 0)
            {
                return FaceDetection.FromFlatList(BoundingBox, BoxFormat, Landmarks, DetectionScore);
            }

            if (X1.HasValue || Y1.HasValue || X2.HasValue || Y2.HasValue)
            {
                if (!(X1.HasValue && Y1.HasValue && X2.HasValue && Y2.HasValue)) { throw new FormatException("A box given by corners needs all of X1, Y1, X2 and Y2."); }
                return FaceDetection.FromFlatList(new[] { X1.Value, Y1.Value, X2.Value, Y2.Value }, BoxFormat.XYXY, Landmarks, DetectionScore);
            }

            if (X.HasValue || Y.HasValue || Width.HasValue || Height.HasValue)
            {
                if (!(X.HasValue && Y.HasValue && Width.HasValue && Height.HasValue)) { throw new FormatException("A box given by position and size needs all of X, Y, Width and Height."); }
                return FaceDetection.FromFlatList(new[] { X.Value, Y.Value, Width.Value, Height.Value }, BoxFormat.XYWH, Landmarks, DetectionScore);
            }

            return new List<FaceDetection>();
        }

        private void ReadDetectionFile()
        {
            var files = PathResolver.ResolveFiles(this, new[] { DetectionPath }, false, ErrorPrefix + "Detection");
            if (files.Count == 0) { return; }
            if (files.Count > 1)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-DetectionPath '{DetectionPath}' matches {files.Count} files; give one."), ErrorPrefix + "AmbiguousDetectionPath", ErrorCategory.InvalidArgument, DetectionPath));
            }

            List<DetectionRecord> records;
            try
            {
                var explicitFormat = MyInvocation.BoundParameters.ContainsKey(nameof(BoxFormat));
                records = DetectionFile.Read(files[0], explicitFormat ? BoxFormat : BoxFormat.XYXY);
            }
            catch (Exception ex) when (ex is FormatException || ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "InvalidDetectionFile", ErrorCategory.InvalidData, files[0]));
                return;
            }

            WriteVerbose($"'{files[0]}' lists {records.Count} image(s) and {records.Sum(r => r.Faces.Count)} face(s).");
            foreach (var record in records)
            {
                _open = new PendingImage { SourcePath = record.ImagePath, Faces = record.Faces };
                Close();
                Drain(block: false);
            }
        }

        private void Close()
        {
            if (_open == null) { return; }
            var image = _open;
            _open = null;
            if (_datasetRoot == null)
            {
                // Everything waits for the common parent anyway: records of one image anywhere in the
                // input become one image, so -FaceSelection sees all its faces.
                if (_bufferedByPath.TryGetValue(image.SourcePath, out var earlier)) { earlier.Faces.AddRange(image.Faces); }
                else
                {
                    _bufferedByPath[image.SourcePath] = image;
                    _buffered.Add(image);
                }
            }
            else { Submit(image); }
        }

        private void Submit(PendingImage image)
        {
            while (_queue.IsFull) { TakeOne(); }
            // Streaming, an image that comes back later goes on numbering its faces, so no crop name repeats.
            _facesSeen.TryGetValue(image.SourcePath, out var firstIndex);
            _facesSeen[image.SourcePath] = firstIndex + image.Faces.Count;
            var relative = DatasetPaths.Relative(_datasetRoot, image.SourcePath);
            var job = new CropJob(image.SourcePath, relative, DatasetPaths.IdentityOf(image.SourcePath), image.Faces)
            {
                FirstFaceIndex = firstIndex,
                FaceIdentities = _identityMap == null ? null : image.Faces.Select(f => _identityMap.Find(image.SourcePath, relative, f)).ToList(),
            };
            _queue.Add(job);
        }

        private void Drain(bool block)
        {
            while (_queue.Count > 0 && (block || _queue.HeadCompleted)) { TakeOne(); }
        }

        private void TakeOne()
        {
            CropJobResult result;
            CropJob job;
            Exception error;
            try
            {
                result = _queue.Take(out job, out error);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            _done++;
            if (error != null)
            {
                WriteError(new ErrorRecord(error, ErrorPrefix + "Failed", ErrorCategory.NotSpecified, job.SourcePath));
            }
            else
            {
                foreach (var outcome in result.Outcomes) { Report(outcome, job); }
            }

            ReportProgress(job);
        }

        private void Report(CropOutcome outcome, CropJob job)
        {
            if (outcome.Warning != null)
            {
                WriteWarning(outcome.Warning);
                return;
            }

            if (outcome.Problem.HasValue)
            {
                WriteError(new ErrorRecord(ExceptionFor(outcome), ErrorPrefix + outcome.Problem.Value, CategoryOf(outcome.Problem.Value), job.SourcePath));
                return;
            }

            var crop = outcome.Crop;
            if (_identityMap != null && crop.Identity == null)
            {
                WriteError(IdentityMapParameter.NotMapped(_identityMap, job.RelativeSource, job.Faces[crop.FaceIndex - job.FirstFaceIndex], ErrorPrefix, job.SourcePath));
                return;
            }

            if (!_written.Add(crop.Path))
            {
                WriteError(new ErrorRecord(
                    new IOException($"'{crop.Path}' was already written in this run from another image with the same name; rename one of the sources or use separate runs."),
                    ErrorPrefix + "DuplicateOutput",
                    ErrorCategory.ResourceExists,
                    job.SourcePath));
                return;
            }

            if (outcome.Reused)
            {
                WriteReused(crop);
                return;
            }

            if (!ShouldProcess(crop.Path, $"Create face crop {crop.Width}x{crop.Height} of face {crop.FaceIndex} from '{job.SourcePath}'")) { return; }
            try
            {
                AtomicFile.WriteAllBytes(crop.Path, outcome.Png, Force.IsPresent);
            }
            catch (IOException) when (!Force.IsPresent && File.Exists(crop.Path))
            {
                // Written meanwhile (another run): the same bytes are this crop all the same.
                if (FaceCropper.HoldsBytes(crop.Path, outcome.Png))
                {
                    WriteReused(crop);
                    return;
                }

                WriteError(new ErrorRecord(new IOException($"'{crop.Path}' already exists; use -Force to overwrite it."), ErrorPrefix + nameof(CropProblem.OutputExists), ErrorCategory.ResourceExists, job.SourcePath));
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, ErrorPrefix + "WriteFailed", ErrorCategory.WriteError, crop.Path));
                return;
            }

            WriteObject(crop);
        }

        private void WriteReused(FaceCrop crop)
        {
            WriteVerbose($"'{crop.Path}' already holds this crop (same source, box and settings); reused.");
            WriteObject(crop);
        }

        private void ReportProgress(CropJob job)
        {
            var now = _progressClock.Elapsed;
            if (now - _lastProgress < TimeSpan.FromMilliseconds(200) && _done != _total) { return; }
            _lastProgress = now;
            var status = _total > 0 ? $"{_done} of {_total} images" : $"{_done} images";
            var record = new ProgressRecord(ProgressId, "New-FaceCrop", status)
            {
                CurrentOperation = job.RelativeSource,
                PercentComplete = _total > 0 ? Math.Min(100, _done * 100 / _total) : -1,
            };
            WriteProgress(record);
        }

        private static Exception ExceptionFor(CropOutcome outcome)
        {
            switch (outcome.Problem)
            {
                case CropProblem.FileNotFound: return new FileNotFoundException(outcome.Message);
                case CropProblem.ReadFailed:
                case CropProblem.NotARegularFile:
                case CropProblem.OutputExists: return new IOException(outcome.Message);
                case CropProblem.InvalidBox:
                case CropProblem.EmptyBox:
                case CropProblem.BoxOutsideImage:
                case CropProblem.NoFace: return new ArgumentException(outcome.Message);
                default: return new InvalidDataException(outcome.Message);
            }
        }

        private static ErrorCategory CategoryOf(CropProblem problem)
        {
            switch (problem)
            {
                case CropProblem.FileNotFound: return ErrorCategory.ObjectNotFound;
                case CropProblem.ReadFailed: return ErrorCategory.ReadError;
                case CropProblem.UnsupportedFormat: return ErrorCategory.InvalidType;
                case CropProblem.ImageTooLarge: return ErrorCategory.LimitsExceeded;
                case CropProblem.NotARegularFile: return ErrorCategory.InvalidArgument;
                case CropProblem.InvalidBox:
                case CropProblem.EmptyBox:
                case CropProblem.BoxOutsideImage:
                case CropProblem.NoFace: return ErrorCategory.InvalidArgument;
                case CropProblem.OutputExists: return ErrorCategory.ResourceExists;
                default: return ErrorCategory.InvalidData;
            }
        }

        private static bool SamePath(string a, string b) =>
            string.Equals(a, b, System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
