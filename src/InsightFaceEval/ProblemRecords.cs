using System.Management.Automation;

namespace InsightFaceEval
{
    /// <summary>The one place a Core <see cref="Problem"/> becomes a PowerShell <see cref="ErrorRecord"/>.</summary>
    internal static class ProblemRecords
    {
        /// <summary>ErrorId = <paramref name="errorIdPrefix"/> + problem id (the prefix is the cmdlet's noun-verb, e.g. "GetFaceEmbedding").</summary>
        public static ErrorRecord ToErrorRecord(Problem problem, string errorIdPrefix)
        {
            var record = new ErrorRecord(problem.Exception, errorIdPrefix + problem.Id, (ErrorCategory)(int)problem.Category, problem.Target);
            if (!string.IsNullOrEmpty(problem.RecommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(problem.Exception.Message) { RecommendedAction = problem.RecommendedAction };
            }

            return record;
        }

        /// <summary>Writes the problem, or throws it when it is terminating.</summary>
        public static void Report(Cmdlet cmdlet, Problem problem, string errorIdPrefix)
        {
            var record = ToErrorRecord(problem, errorIdPrefix);
            if (problem.Terminating) { cmdlet.ThrowTerminatingError(record); }
            cmdlet.WriteError(record);
        }
    }
}
