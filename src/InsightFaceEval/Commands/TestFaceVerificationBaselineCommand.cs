using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using InsightFaceEval.IO;
using InsightFaceEval.Reporting;

namespace InsightFaceEval.Commands
{
    /// <summary>Checks today's verification results against a saved baseline with per-metric tolerances.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "FaceVerificationBaseline", DefaultParameterSetName = ResultSet, SupportsShouldProcess = true)]
    [OutputType(typeof(bool))]
    [OutputType(typeof(BaselineCheck))]
    public sealed class TestFaceVerificationBaselineCommand : PSCmdlet
    {
        private const string ResultSet = "Result";
        private const string ReportSet = "Report";
        private readonly List<VerificationResult> results = new List<VerificationResult>();

        /// <summary>Today's VerificationResult objects (Measure-FaceVerification's output).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ResultSet)]
        [AllowNull]
        public PSObject[] InputObject { get; set; }

        /// <summary>Today's results as a report JSON written by Export-FaceEvaluationReport.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ReportSet)]
        [ValidateNotNullOrEmpty]
        public string ReportPath { get; set; }

        /// <summary>The baseline: a report JSON (Export-FaceEvaluationReport or -UpdateBaseline wrote it).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string BaselinePath { get; set; }

        /// <summary>Makes today's results the baseline instead of checking them.</summary>
        [Parameter]
        public SwitchParameter UpdateBaseline { get; set; }

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double TarTolerance { get; set; } = 0.01;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double EerTolerance { get; set; } = 0.01;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double AucTolerance { get; set; } = 0.005;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double FtaTolerance { get; set; } = 0.01;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double PairCountTolerance { get; set; }

        /// <summary>A model in today's results that the baseline lacks is left unchecked (with a warning) instead of failing.</summary>
        [Parameter]
        public SwitchParameter AllowNewModel { get; set; }

        /// <summary>Outputs one BaselineCheck per model and metric instead of one Boolean.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) { return; }
            foreach (var item in InputObject)
            {
                if (item?.BaseObject is VerificationResult v) { results.Add(v); }
                else if (item != null)
                {
                    WriteError(new ErrorRecord(
                        new PSArgumentException($"Cannot check a {item.BaseObject.GetType().FullName} against a baseline: pipe in Measure-FaceVerification's VerificationResult objects."),
                        "TestFaceVerificationBaselineUnsupportedInput", ErrorCategory.InvalidType, item));
                }
            }
        }

        protected override void EndProcessing()
        {
            var baselinePath = ResolveOutput(BaselinePath);
            var today = ParameterSetName == ReportSet ? ReadReport(ResolveOutput(ReportPath), "TestFaceVerificationBaselineReportNotFound").Models.ToList() : results.Select(r => ReportBuilder.Model(r, 0)).ToList();
            if (today.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("There are no verification results to check."),
                    "TestFaceVerificationBaselineNoResults", ErrorCategory.InvalidArgument, null));
            }

            if (UpdateBaseline)
            {
                WriteBaseline(baselinePath, today);
                WriteObject(true);
                return;
            }

            var baseline = ReadReport(baselinePath, "TestFaceVerificationBaselineNotFound", validateAsBaseline: true);
            var tolerances = new BaselineTolerances { Tar = TarTolerance, Eer = EerTolerance, Auc = AucTolerance, Fta = FtaTolerance, PairCount = PairCountTolerance };
            var checks = BaselineComparer.Compare(baseline, today, tolerances, AllowNewModel);
            if (AllowNewModel)
            {
                foreach (var extra in today.Where(m => baseline.Models.All(b => b.Name != m.Name)))
                {
                    WriteWarning($"Model '{extra.Name}' is not in the baseline and was not checked (-AllowNewModel). Run with -UpdateBaseline to add it.");
                }
            }

            var failed = checks.Where(c => !c.Passed).ToList();
            foreach (var c in checks) { WriteVerbose(c.ToString()); }
            foreach (var c in failed) { WriteWarning($"Regression: {c.Model} {c.Metric}: {c.Message}"); }
            if (Detailed) { WriteObject(checks, true); }
            if (failed.Count == 0)
            {
                if (!Detailed) { WriteObject(true); }
                return;
            }

            // A regression is the answer, not a failure of the command: $false, unless the call asked for
            // -ErrorAction Stop, in which case it is a terminating error a scheduler sees.
            if (ErrorActionIsStop())
            {
                var summary = string.Join("; ", failed.Select(c => $"{c.Model} {c.Metric}: {c.Message}"));
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"{failed.Count} metric(s) regressed beyond tolerance against the baseline '{baselinePath}': {summary}"),
                    "TestFaceVerificationBaselineRegression", ErrorCategory.LimitsExceeded, failed.ToArray()));
            }

            if (!Detailed) { WriteObject(false); }
        }

        // Only an explicit -ErrorAction Stop on this call turns the answer into an error: scripts commonly set
        // $ErrorActionPreference = 'Stop' for real failures and still expect a Test- cmdlet to answer $false.
        private bool ErrorActionIsStop() =>
            MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var bound)
            && LanguagePrimitives.ConvertTo<ActionPreference>(bound) == ActionPreference.Stop;

        private string ResolveOutput(string path)
        {
            try
            {
                return PathResolver.ResolveOutputPath(this, path);
            }
            catch (Exception ex) when (ex is PSArgumentException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "TestFaceVerificationBaselineInvalidPath", ErrorCategory.InvalidArgument, path));
                return null;
            }
        }

        private EvaluationReport ReadReport(string path, string notFoundId, bool validateAsBaseline = false)
        {
            if (!File.Exists(path))
            {
                var hint = notFoundId == "TestFaceVerificationBaselineNotFound" ? " Create it with -UpdateBaseline, or point -BaselinePath at a report JSON from Export-FaceEvaluationReport." : string.Empty;
                ThrowTerminatingError(new ErrorRecord(
                    new FileNotFoundException($"Cannot find '{path}'.{hint}", path), notFoundId, ErrorCategory.ObjectNotFound, path));
            }

            try
            {
                var json = RegularFile.ReadAllText(path, 256L * 1024 * 1024, "a report JSON");
                if (validateAsBaseline && BaselineSchema.ClaimsToBeReport(json))
                {
                    // Fail closed: a baseline the comparison cannot read field by field must not pass anything.
                    var problems = BaselineSchema.Problems(json);
                    if (problems.Count > 0)
                    {
                        ThrowTerminatingError(new ErrorRecord(
                            new InvalidDataException($"'{path}' is not a baseline this gate can check against (docs/report-schema.md): {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? $"; and {problems.Count - 10} more" : string.Empty)}."),
                            "TestFaceVerificationBaselineInvalidBaseline", ErrorCategory.InvalidData, path));
                    }
                }

                return ReportJson.Read(json);
            }
            catch (IOException ex) when (!(ex is FileNotFoundException))
            {
                ThrowTerminatingError(new ErrorRecord(ex, "TestFaceVerificationBaselineUnreadable", ErrorCategory.ReadError, path));
                return null;
            }
            catch (InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidDataException($"'{path}' is not a usable report: {ex.Message}", ex), "TestFaceVerificationBaselineInvalidReport", ErrorCategory.InvalidData, path));
                return null;
            }
        }

        private void WriteBaseline(string path, IReadOnlyList<ModelReport> models)
        {
            var source = ParameterSetName == ReportSet ? null : results;
            EvaluationReport report;
            if (source != null)
            {
                report = ReportBuilder.Build(source, null, null, new ReportOptions { Title = "Verification baseline", HardestPairs = 0 });
            }
            else
            {
                report = new EvaluationReport("Verification baseline", DateTimeOffset.UtcNow, new ReportProvenance(ModuleInfo.Version, null, null, null, null),
                    new DatasetSummary(null, null, null, null, null), models, null, null, null);
            }

            if (!ShouldProcessBaseline(path)) { return; }
            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ReportJson.Write(report)), overwrite: true);
            WriteVerbose($"Wrote the baseline '{path}' ({string.Join(", ", models.Select(m => m.Name))}).");
        }

        private bool ShouldProcessBaseline(string path) => ShouldProcess(path, "Replace the verification baseline");
    }
}
