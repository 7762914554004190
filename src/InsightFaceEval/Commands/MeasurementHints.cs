using InsightFaceEval.Metrics;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// The parameter hints the measuring cmdlets add to Core's problems (Core describes the data; what to type is the
    /// cmdlet's to say), as the error record's recommended action.
    /// </summary>
    internal static class MeasurementHints
    {
        /// <summary>How to give each person an identity of their own.</summary>
        public const string GiveIdentities =
            "Give each person an identity of their own: put each person's photos in a folder of their own (photos/alice/1.jpg, photos/bob/1.jpg); " +
            "or list path,identity in a CSV and pass it as -IdentityMap to New-FaceCrop, Get-FaceEmbedding or Import-FaceEmbedding; " +
            "or run Get-FaceEmbedding with -Identity once per person.";

        /// <summary>
        /// <paramref name="problem"/> with the hint its kind needs: how to give identities when one identity made it
        /// unmeasurable (a pair list's labels are its own, so not with <paramref name="pairList"/>).
        /// </summary>
        public static Problem Add(Problem problem, bool pairList = false)
        {
            if (problem.RecommendedAction != null) { return problem; }
            switch (problem.Id)
            {
                case "SingleIdentity":
                    return problem.WithRecommendedAction(GiveIdentities);
                case "NoImpostorPairs":
                    return pairList ? problem : problem.WithRecommendedAction(GiveIdentities);
                default:
                    return problem;
            }
        }
    }
}
