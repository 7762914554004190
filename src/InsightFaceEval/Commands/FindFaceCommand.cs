using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Onnx;
using InsightFaceEval.Threading;

namespace InsightFaceEval.Commands
{
    /// <summary>Find-Face: every face in each image, with its box, score and five landmarks, from a local ONNX detector.</summary>
    [Cmdlet(VerbsCommon.Find, "Face", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DetectedFace))]
    public sealed class FindFaceCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ErrorPrefix = "FindFace";
        // One constant activity so every progress record updates the same bar.
        private const int ProgressActivityId = 0x0F1D;

        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private FaceDetector _detector;
        private OrderedWorkQueue<string, ImageFaces> _queue;
        private int _images;
        private int _faces;
        private bool _pathsFromCommandLine;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DetectorPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string LandmarkPath { get; set; }

        /// <summary>A folder laid out like an InsightFace model pack: its detector is used (unless -DetectorPath names one).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ModelPack { get; set; }

        /// <summary>The square size an SCRFD or RetinaFace detector with a free input size runs at (InsightFace's det_size).</summary>
        [Parameter]
        [ValidateRange(32, 4096)]
        public int DetectionSize { get; set; } = 640;

        /// <summary>Lowest score kept; default: the detector family's own (0.65 Ultra-Light, 0.5 SCRFD and RetinaFace).</summary>
        [Parameter]
        [ValidateRange(0.0f, 1.0f)]
        public float ConfidenceThreshold { get; set; }

        [Parameter]
        [ValidateRange(0.01f, 1.0f)]
        public float OverlapThreshold { get; set; } = 0.4f;

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MinimumFaceSize { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        /// <summary>Largest image accepted, in pixels, checked from the header before decoding (as New-FaceCrop).</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        [Alias("MaxPixels")]
        public long MaximumPixels { get; set; } = InsightFaceEval.Imaging.ImageLoader.DefaultMaxPixels;

        protected override void BeginProcessing()
        {
            // Paths bound now came from the command line (wildcards); later ones are piped file names (literal).
            _pathsFromCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Path));
            try
            {
                _detector = OpenDetector();
            }
            catch (Exception ex) when (OnnxProblems.TryFrom(ex, out var problem))
            {
                ProblemRecords.Report(this, problem.AsTerminating().WithRecommendedAction(RecommendedAction(problem)), ErrorPrefix);
            }

            WriteVerbose($"Detector '{_detector.DetectorPath}': {_detector.LayoutDescription}, input {_detector.InputWidth}x{_detector.InputHeight}, " +
                $"score threshold {_detector.ConfidenceThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}; landmarks " +
                (_detector.LandmarkPath == null ? "from the detector." : $"'{_detector.LandmarkPath}'."));
            _queue = new OrderedWorkQueue<string, ImageFaces>(Detect, ThrottleLimit, ThrottleLimit * 4, _cancellation.Token);
        }

        protected override void ProcessRecord()
        {
            var literal = ParameterSetName == LiteralPathSet;
            try
            {
                var files = literal
                    ? PathResolver.ResolveFiles(this, LiteralPath, true, ErrorPrefix)
                    : PathResolver.ResolveInputFiles(this, Path, _pathsFromCommandLine, ErrorPrefix);
                foreach (var file in files)
                {
                    while (_queue.IsFull) { WriteNext(); }
                    _queue.Add(file);
                    while (_queue.HeadCompleted) { WriteNext(); }
                }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                while (_queue.Count > 0) { WriteNext(); }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            if (_images == 0)
            {
                // An empty folder or a filter that matched nothing: say so rather than print nothing.
                WriteWarning("Find-Face received no image, so it searched for no face. Check the path or filter that feeds it.");
                return;
            }

            WriteProgress(new ProgressRecord(ProgressActivityId, "Find-Face", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        public void Dispose()
        {
            // Work still running after a stop uses the sessions; let it end (it honours the token) first.
            _cancellation.Cancel();
            _queue?.Dispose();
            _detector?.Dispose();
            _loader.Dispose();
            _cancellation.Dispose();
        }

        private FaceDetector OpenDetector()
        {
            var detectorPath = DetectorPath == null ? null : PathResolver.ResolveOutputPath(this, DetectorPath);
            if (ModelPack != null)
            {
                var pack = InsightFaceEval.Onnx.ModelPack.Open(PathResolver.ResolveOutputPath(this, ModelPack));
                WriteVerbose("Model pack '" + pack.Folder + "': " + pack.Describe() + ".");
                if (detectorPath == null)
                {
                    detectorPath = pack.DetectorPath ?? throw OnnxProblems.PackWithout(pack, ModelPackRole.Detector);
                }
                else
                {
                    WriteVerbose("-DetectorPath names the detector; the pack's is not used.");
                }
            }

            var detector = DefaultModels.DetectorOr(detectorPath);
            var landmarks = LandmarkPath == null ? null : PathResolver.ResolveOutputPath(this, LandmarkPath);
            return FaceDetector.Open(detector, landmarks, new FaceDetectorOptions
            {
                ConfidenceThreshold = MyInvocation.BoundParameters.ContainsKey(nameof(ConfidenceThreshold)) ? ConfidenceThreshold : (float?)null,
                DetectionSize = DetectionSize,
                NmsThreshold = OverlapThreshold,
                MinimumFaceSize = MinimumFaceSize,
                // Images run in parallel (ThrottleLimit); one thread per inference call avoids oversubscription.
                IntraOpThreads = 1,
            });
        }

        // One loader per worker thread: its buffer pool is bounded and not shared between images in flight.
        private readonly ThreadLocal<InsightFaceEval.Imaging.ImageLoader> _loader =
            new ThreadLocal<InsightFaceEval.Imaging.ImageLoader>(() => new InsightFaceEval.Imaging.ImageLoader());

        private ImageFaces Detect(string file, CancellationToken cancellationToken) =>
            ImageFaces.Detect(_detector, file, _loader.Value, MaximumPixels, cancellationToken);

        private void WriteNext()
        {
            var result = _queue.Take(out var file, out var error);
            _images++;
            if (error != null)
            {
                WriteError(ImageError(file, error));
            }
            else
            {
                if (result.Faces.Count == 0)
                {
                    WriteVerbose($"No face found in '{file}'.");
                }

                foreach (var face in result.ToDetectedFaces(_detector.DetectorName))
                {
                    _faces++;
                    WriteObject(face);
                }
            }

            WriteProgress(new ProgressRecord(ProgressActivityId, "Find-Face", $"{_images} images, {_faces} faces")
            {
                CurrentOperation = System.IO.Path.GetFileName(file),
            });
        }

        private static ErrorRecord ImageError(string file, Exception error)
        {
            switch (error)
            {
                case InsightFaceEval.Imaging.ImageLoadException load:
                    return LoadError(file, load);
                case InvalidDataException _:
                    return new ErrorRecord(error, ErrorPrefix + "InvalidImage", ErrorCategory.InvalidData, file);
                case UnauthorizedAccessException _:
                    return new ErrorRecord(error, ErrorPrefix + "AccessDenied", ErrorCategory.PermissionDenied, file);
                case IOException _:
                    return new ErrorRecord(error, ErrorPrefix + "ReadError", ErrorCategory.ReadError, file);
                default:
                    return new ErrorRecord(error, ErrorPrefix + "DetectionFailed", ErrorCategory.InvalidResult, file);
            }
        }

        // The same problems New-FaceCrop names, under Find-Face's prefix; "not an image" keeps its old ErrorId.
        private static ErrorRecord LoadError(string file, InsightFaceEval.Imaging.ImageLoadException ex)
        {
            switch (ex.Problem)
            {
                case InsightFaceEval.Imaging.ImageProblem.CorruptImage:
                    return new ErrorRecord(ex, ErrorPrefix + "CorruptImage", ErrorCategory.InvalidData, file);
                case InsightFaceEval.Imaging.ImageProblem.ImageTooLarge:
                    return new ErrorRecord(ex, ErrorPrefix + "ImageTooLarge", ErrorCategory.LimitsExceeded, file);
                case InsightFaceEval.Imaging.ImageProblem.NotARegularFile:
                    return new ErrorRecord(ex, ErrorPrefix + "NotARegularFile", ErrorCategory.InvalidArgument, file);
                case InsightFaceEval.Imaging.ImageProblem.FileNotFound:
                    return new ErrorRecord(ex, ErrorPrefix + "FileNotFound", ErrorCategory.ObjectNotFound, file);
                case InsightFaceEval.Imaging.ImageProblem.ReadFailed:
                    return new ErrorRecord(ex, ErrorPrefix + "ReadError", ErrorCategory.ReadError, file);
                default:
                    return new ErrorRecord(ex, ErrorPrefix + "InvalidImage", ErrorCategory.InvalidData, file);
            }
        }

        /// <summary>The parameter that names the model a problem is about.</summary>
        private string RecommendedAction(Problem problem)
        {
            if (problem.Id.StartsWith("LandmarkModel", StringComparison.Ordinal)) { return "Check -LandmarkPath."; }
            if (problem.Id.StartsWith("ModelPack", StringComparison.Ordinal)) { return "Check -ModelPack: a folder of .onnx files with a face detector."; }
            if (problem.Id == "OnnxRuntimeUnavailable") { return "Install the Microsoft Visual C++ 2015-2022 Redistributable (x64) on Windows, or rebuild the module."; }
            return ModelPack != null && DetectorPath == null ? "Check -ModelPack." : "Check -DetectorPath.";
        }
    }
}
