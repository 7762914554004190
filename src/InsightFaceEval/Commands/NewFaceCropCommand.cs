using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Imaging;
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
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private CropRequest _request;
        private FaceCropper _cropper;
        private OrderedWorkQueue<CropJob, CropJobResult> _queue;
        private IdentityMap _identityMap;
        private int _done;
        private TimeSpan _lastProgress = TimeSpan.FromSeconds(-1);

        /// <summary>Image files; wildcards are expanded.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Image files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>A detections file (JSON or CSV) naming the images and their faces.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DetectionSet)]
        [SupportsWildcards]
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
        [Alias("MaxSide")]
        public int MaximumSide { get; set; } = 256;

        /// <summary>Which faces of an image to crop.</summary>
        [Parameter]
        public FaceSelection FaceSelection { get; set; } = FaceSelection.All;

        /// <summary>Largest image accepted, in pixels, checked from the header before decoding.</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        [Alias("MaxPixels")]
        public long MaximumPixels { get; set; } = 100_000_000;

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

        protected override void BeginProcessing()
        {
            var outputDirectory = PathResolver.ResolveOutputPath(this, OutputDirectory);
            _identityMap = IdentityMapParameter.Load(this, IdentityMap, ErrorPrefix);
            _request = new CropRequest(DatasetRoot == null ? null : PathResolver.ResolveOutputPath(this, DatasetRoot), _identityMap);
            var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
                ? ((SwitchParameter)w).IsPresent
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            _cropper = new FaceCropper(new CropOptions
            {
                OutputDirectory = outputDirectory,
                ExpansionFactor = ExpansionFactor,
                MaxSide = MaximumSide,
                MaxPixels = MaximumPixels,
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

            var problems = _request.Add(ResolveInput(), new CropRecordBoxes
            {
                BoundingBox = BoundingBox,
                BoxFormat = BoxFormat,
                X1 = X1, Y1 = Y1, X2 = X2, Y2 = Y2,
                X = X, Y = Y, Width = Width, Height = Height,
                Landmarks = Landmarks,
                Score = DetectionScore,
            });
            foreach (var problem in problems) { Report(problem); }
            SubmitReady();
            Drain(block: false);
        }

        protected override void EndProcessing()
        {
            _request.Complete();
            SubmitReady();
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

        private void ReadDetectionFile()
        {
            var files = PathResolver.ResolveFiles(this, new[] { DetectionPath }, false, ErrorPrefix + "Detection");
            if (files.Count == 0) { return; }
            if (files.Count > 1)
            {
                Report(CropProblems.Create(CropProblem.AmbiguousDetectionPath, $"-DetectionPath '{DetectionPath}' matches {files.Count} files; give one.", DetectionPath));
            }

            List<DetectionRecord> records;
            try
            {
                var explicitFormat = MyInvocation.BoundParameters.ContainsKey(nameof(BoxFormat));
                records = DetectionFile.Read(files[0], explicitFormat ? BoxFormat : BoxFormat.XYXY);
            }
            catch (Exception ex) when (ex is FormatException || ex is IOException || ex is UnauthorizedAccessException)
            {
                Report(CropProblems.FromException(CropProblem.InvalidDetectionFile, ex, files[0]));
                return;
            }

            WriteVerbose($"'{files[0]}' lists {records.Count} image(s) and {records.Sum(r => r.Faces.Count)} face(s).");
            foreach (var record in records)
            {
                _request.AddImage(record.ImagePath, record.Faces);
                SubmitReady();
                Drain(block: false);
            }
        }

        private void SubmitReady()
        {
            while (_request.TryTakeReady(out var job))
            {
                while (_queue.IsFull) { TakeOne(); }
                _queue.Add(job);
            }
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
                Report(CropProblems.FromException(CropProblem.Failed, error, job.SourcePath));
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

            if (outcome.Problem != null)
            {
                Report(outcome.Problem);
                return;
            }

            var crop = outcome.Crop;
            if (_identityMap != null && crop.Identity == null)
            {
                WriteError(IdentityMapParameter.NotMapped(_identityMap, job.RelativeSource, job.Faces[crop.FaceIndex - job.FirstFaceIndex], ErrorPrefix, job.SourcePath));
                return;
            }

            var duplicate = _request.ClaimOutput(crop, job.SourcePath);
            if (duplicate != null)
            {
                Report(duplicate);
                return;
            }

            if (outcome.Reused)
            {
                WriteReused(crop);
                return;
            }

            if (!ShouldProcess(crop.Path, $"Create face crop {crop.Width}x{crop.Height} of face {crop.FaceIndex} from '{job.SourcePath}'")) { return; }
            var failed = FaceCropper.Save(outcome, job.SourcePath, Force.IsPresent, out var reused);
            if (failed != null) { Report(failed); }
            else if (reused) { WriteReused(crop); }
            else { WriteObject(crop); }
        }

        private void WriteReused(FaceCrop crop)
        {
            WriteVerbose($"'{crop.Path}' already holds this crop (same source, box and settings); reused.");
            WriteObject(crop);
        }

        private void ReportProgress(CropJob job)
        {
            var now = _progressClock.Elapsed;
            if (now - _lastProgress < TimeSpan.FromMilliseconds(200) && _done != _request.Total) { return; }
            _lastProgress = now;
            var total = _request.Total;
            var status = total > 0 ? $"{_done} of {total} images" : $"{_done} images";
            var record = new ProgressRecord(ProgressId, "New-FaceCrop", status)
            {
                CurrentOperation = job.RelativeSource,
                PercentComplete = total > 0 ? Math.Min(100, _done * 100 / total) : -1,
            };
            WriteProgress(record);
        }

        // Core's problems describe the data; the parameter that changes the outcome is added here.
        private void Report(Problem problem)
        {
            string hint = null;
            if (problem.Id == nameof(CropProblem.MultipleFaces)) { hint = "Use -FaceSelection Largest or LargestCentered to crop one face of such images, or All to crop every face."; }
            ProblemRecords.Report(this, hint == null ? problem : problem.WithRecommendedAction(hint), ErrorPrefix);
        }
    }
}
