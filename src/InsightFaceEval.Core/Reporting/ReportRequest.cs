using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// What a report is made of, filled by Export-FaceEvaluationReport: the measured results as they come down the
    /// pipeline (<see cref="Add"/>), and the evaluator's additions in <see cref="Options"/> (title, notes, metadata as
    /// flattened key/value settings). <see cref="Build"/> turns it into the report the renderers read.
    /// </summary>
    public sealed class ReportRequest
    {
        private readonly List<VerificationResult> verification = new List<VerificationResult>();
        private readonly List<IdentificationResult> identification = new List<IdentificationResult>();
        private readonly List<ModelComparison> comparisons = new List<ModelComparison>();

        public ReportOptions Options { get; } = new ReportOptions();

        public IReadOnlyList<VerificationResult> Verification => verification;

        public IReadOnlyList<IdentificationResult> Identification => identification;

        public IReadOnlyList<ModelComparison> Comparisons => comparisons;

        /// <summary>The models the results are of (verification first), as the server named them.</summary>
        public IEnumerable<string> Models => verification.Select(v => v.Model).Concat(identification.Select(i => i.Model));

        /// <summary>
        /// Takes one result (a null is skipped). Returns null when it was taken, else why not: a second verification
        /// result of a model already given ("DuplicateModel"; the first one is reported), or an object that is no result
        /// ("UnsupportedInput").
        /// </summary>
        public Problem Add(object item)
        {
            switch (item)
            {
                case null:
                    return null;
                case VerificationResult v:
                    if (verification.Any(x => string.Equals(x.Model, v.Model, StringComparison.Ordinal)))
                    {
                        return new Problem("DuplicateModel", ProblemCategory.InvalidArgument,
                            new ArgumentException($"A verification result for model '{v.Model}' was already given; only the first one is reported."), v);
                    }

                    verification.Add(v);
                    return null;
                case IdentificationResult i:
                    identification.Add(i);
                    return null;
                case ModelComparison c:
                    comparisons.Add(c);
                    return null;
                default:
                    return new Problem("UnsupportedInput", ProblemCategory.InvalidType,
                        new ArgumentException($"Cannot report a {item.GetType().FullName}: a report is made of the VerificationResult, IdentificationResult and ModelComparison objects the measurements return."),
                        item);
            }
        }

        /// <summary>A terminating "NoResults" problem when no verification or identification result was given, else null.</summary>
        public Problem CheckComplete() =>
            verification.Count + identification.Count > 0 ? null
            : new Problem("NoResults", ProblemCategory.InvalidArgument,
                new ArgumentException("There is nothing to report: no VerificationResult or IdentificationResult objects came in."), null, terminating: true);

        /// <summary>The report; an "InvalidResult" problem (terminating) when a result cannot be reported.</summary>
        public EvaluationReport Build(out Problem problem)
        {
            problem = CheckComplete();
            if (problem != null) { return null; }
            try
            {
                return ReportBuilder.Build(verification, identification, comparisons, Options);
            }
            catch (ArgumentException ex)
            {
                problem = new Problem("InvalidResult", ProblemCategory.InvalidData, ex, null, terminating: true);
                return null;
            }
        }

        /// <summary>
        /// One metadata entry as the report shows it: the key as text, the value as invariant-culture text, a list
        /// (any enumerable but a string) joined with ", ", a null as an empty string. The caller unwraps any host
        /// wrapper (PowerShell's PSObject) first.
        /// </summary>
        public static KeyValuePair<string, string> Setting(object key, object value) =>
            new KeyValuePair<string, string>(Convert.ToString(key, CultureInfo.InvariantCulture), SettingText(value));

        /// <summary>The text of one metadata value (see <see cref="Setting"/>).</summary>
        public static string SettingText(object value) =>
            value is IEnumerable list && !(value is string)
                ? string.Join(", ", list.Cast<object>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture)))
                : Convert.ToString(value, CultureInfo.InvariantCulture);
    }
}
