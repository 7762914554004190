using System;
using System.Collections.Generic;
using System.Globalization;

namespace InsightFaceEval.Metrics
{
    /// <summary>
    /// The check of the rates a measurement is asked for (target FARs, target FPIRs, the operating FAR): each a
    /// proportion strictly between 0 and 1, since a rate of 0 or 1 has no threshold that reaches it.
    /// </summary>
    public static class RateTargets
    {
        /// <summary>The target FAR check; problem InvalidFarTarget.</summary>
        public static Problem CheckFar(IEnumerable<double> targets) => Check(targets, "A target FAR", "InvalidFarTarget");

        /// <summary>The target FPIR check; problem InvalidFpirTarget.</summary>
        public static Problem CheckFpir(IEnumerable<double> targets) => Check(targets, "A target FPIR", "InvalidFpirTarget");

        /// <summary>The operating FAR check; problem InvalidOperatingFar.</summary>
        public static Problem CheckOperatingFar(double? far) => far.HasValue ? Check(new[] { far.Value }, "The operating FAR", "InvalidOperatingFar") : null;

        /// <summary>
        /// Null when every value lies strictly between 0 and 1; otherwise a terminating InvalidArgument problem about the
        /// first value that does not, with that value as target.
        /// </summary>
        public static Problem Check(IEnumerable<double> targets, string what, string problemId)
        {
            if (targets == null) { return null; }
            foreach (var f in targets)
            {
                if (f > 0 && f < 1) { continue; }
                var message = string.Format(CultureInfo.InvariantCulture, "{0} must lie strictly between 0 and 1; {1} does not.", what, f);
                return new Problem(problemId, ProblemCategory.InvalidArgument, new ArgumentOutOfRangeException(null, message), f, true);
            }

            return null;
        }
    }
}
