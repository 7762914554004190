using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using InsightFaceEval.Reporting;

namespace InsightFaceEval.Commands
{
    /// <summary>Writes verification, identification and model-comparison results as an HTML, Markdown or JSON report.</summary>
    [Cmdlet(VerbsData.Export, "FaceEvaluationReport", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportFaceEvaluationReportCommand : PSCmdlet, IDisposable
    {
        private const int ActivityId = 0x1FE6;
        private readonly CancellationTokenSource cancellation = new CancellationTokenSource();
        private const string ErrorPrefix = "ExportFaceEvaluationReport";
        private readonly ReportRequest request = new ReportRequest();

        /// <summary>VerificationResult, IdentificationResult and ModelComparison objects (Measure-FaceVerification's output).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject[] InputObject { get; set; }

        /// <summary>Report files to write; the extension picks the format: .html, .md or .json.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter]
        public string Title { get; set; }

        /// <summary>Statements printed in the report's summary (how pairs were made, caveats).</summary>
        [Parameter]
        public string[] Note { get; set; }

        /// <summary>Extra provenance (crop settings, dataset name, ...), shown as key/value pairs.</summary>
        [Parameter]
        public IDictionary Metadata { get; set; }

        /// <summary>Salted endpoint fingerprints to record (Get-FaceEmbedding's store holds them). Never a URL.</summary>
        [Parameter]
        public string[] EndpointFingerprint { get; set; }

        /// <summary>The embedding store (Get-FaceEmbedding -OutputDirectory) to read endpoint fingerprints and extraction dates from.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("EmbeddingStore")]
        public string EmbeddingStorePath { get; set; }

        /// <summary>Leaves face thumbnails out of the HTML report.</summary>
        [Parameter]
        public SwitchParameter ExcludeFaceImages { get; set; }

        [Parameter]
        [ValidateRange(32, 256)]
        public int ThumbnailSize { get; set; } = 112;

        [Parameter]
        [ValidateRange(0, 100)]
        public int HardestPairCount { get; set; } = 8;

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) { return; }
            foreach (var item in InputObject)
            {
                var problem = request.Add(item?.BaseObject);
                if (problem == null) { continue; }
                if (problem.Id == "UnsupportedInput")
                {
                    problem = problem.WithRecommendedAction("Pipe in the output of Measure-FaceVerification or Measure-FaceIdentification.");
                }

                ProblemRecords.Report(this, problem, ErrorPrefix);
            }
        }

        protected override void EndProcessing()
        {
            var missing = request.CheckComplete();
            if (missing != null) { ProblemRecords.Report(this, missing, ErrorPrefix); }

            var options = request.Options;
            options.Title = Title;
            options.HardestPairs = HardestPairCount;
            foreach (var n in Note ?? Array.Empty<string>()) { options.Notes.Add(n); }
            foreach (var f in EndpointFingerprint ?? Array.Empty<string>())
            {
                if (Embedding.EndpointAddress.LooksLikeUrl(f))
                {
                    WriteWarning("An endpoint fingerprint that looks like a URL was left out: the endpoint URL is confidential and never goes into a report.");
                    continue;
                }

                options.EndpointFingerprints.Add(f);
            }

            if (!string.IsNullOrEmpty(EmbeddingStorePath)) { AddStoreProvenance(options); }

            if (Metadata != null)
            {
                foreach (DictionaryEntry entry in Metadata)
                {
                    var setting = ReportRequest.Setting(entry.Key, entry.Value is PSObject ps ? ps.BaseObject : entry.Value);
                    var key = setting.Key;
                    var text = setting.Value;
                    if (Embedding.EndpointAddress.LooksLikeUrl(text))
                    {
                        WriteWarning($"Metadata '{key}' looks like a URL and was left out: endpoint URLs are confidential and never go into a report.");
                        continue;
                    }

                    options.Settings.Add(new KeyValuePair<string, string>(key, text));
                }
            }

            var report = request.Build(out var invalid);
            if (invalid != null)
            {
                ProblemRecords.Report(this, invalid, ErrorPrefix);
                return;
            }

            var thumbnails = ExcludeFaceImages ? null : new Thumbnails(ThumbnailSize);
            var progress = new ProgressRecord(ActivityId, "Export-FaceEvaluationReport", "Writing reports");
            for (var i = 0; i < Path.Length; i++)
            {
                var target = Resolve(Path[i]);
                if (target == null) { continue; }
                progress.StatusDescription = "Writing " + target;
                progress.PercentComplete = 100 * i / Path.Length;
                WriteProgress(progress);
                Write(report, target, thumbnails);
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            foreach (var problem in thumbnails?.Problems ?? (IReadOnlyList<string>)Array.Empty<string>())
            {
                WriteWarning("No thumbnail for " + problem);
            }
        }

        protected override void StopProcessing() => cancellation.Cancel();

        private void AddStoreProvenance(ReportOptions options)
        {
            var store = Resolve(EmbeddingStorePath, checkFormat: false);
            if (store == null) { return; }
            if (!InsightFaceEval.Embedding.EmbeddingStore.IsStore(store))
            {
                WriteError(new ErrorRecord(
                    new DirectoryNotFoundException($"'{store}' is not an embedding store (it holds no store.json): point -EmbeddingStorePath at Get-FaceEmbedding's -OutputDirectory."),
                    "ExportFaceEvaluationReportStoreNotFound", ErrorCategory.ObjectNotFound, EmbeddingStorePath));
                return;
            }

            try
            {
                var used = StoreProvenance.AddTo(options, store, request.Models);
                WriteVerbose($"Read provenance from {used} index records of the store '{store}'.");
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is System.Text.Json.JsonException)
            {
                WriteError(new ErrorRecord(
                    new IOException($"Cannot read the embedding store '{store}': {ex.Message}", ex),
                    "ExportFaceEvaluationReportStoreUnreadable", ErrorCategory.ReadError, EmbeddingStorePath));
            }
        }

        public void Dispose() => cancellation.Dispose();

        private string Resolve(string path, bool checkFormat = true)
        {
            string target;
            try
            {
                target = PathResolver.ResolveOutputPath(this, path);
            }
            catch (Exception ex) when (ex is PSArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is NotSupportedException)
            {
                WriteError(new ErrorRecord(ex, "ExportFaceEvaluationReportInvalidPath", ErrorCategory.InvalidArgument, path));
                return null;
            }

            if (!checkFormat) { return target; }
            if (ReportFiles.FormatOf(target) == null)
            {
                WriteError(new ErrorRecord(
                    new PSArgumentException($"'{path}' does not name a report format: use a .html, .md or .json extension."),
                    "ExportFaceEvaluationReportUnsupportedFormat", ErrorCategory.InvalidArgument, path));
                return null;
            }

            if (NoClobber && File.Exists(target))
            {
                WriteError(new ErrorRecord(
                    new IOException($"The file '{target}' already exists and -NoClobber was given."),
                    "ExportFaceEvaluationReportFileExists", ErrorCategory.ResourceExists, target));
                return null;
            }

            return target;
        }

        private void Write(EvaluationReport report, string target, Thumbnails thumbnails)
        {
            var format = ReportFiles.FormatOf(target).Value;
            if (!ShouldProcess(target, $"Write {format} report")) { return; }
            IReadOnlyList<string> written;
            try
            {
                written = ReportFiles.Write(report, target, format == ReportFormat.Html ? thumbnails : null, cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "ExportFaceEvaluationReportWriteFailed", ErrorCategory.WriteError, target));
                return;
            }

            WriteVerbose($"Wrote {string.Join(", ", written)}.");
            if (PassThru) { WriteObject(new FileInfo(written[0])); }
        }
    }
}
