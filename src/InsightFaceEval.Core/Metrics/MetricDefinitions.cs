namespace InsightFaceEval.Metrics
{
    /// <summary>The definitions results carry in their Definitions property, so a report says which ones its numbers follow.</summary>
    public static class MetricDefinitions
    {
        public static string[] Verification => new[]
        {
            "Score: true cosine of two embeddings (both divided by their norms), float32, in [-1, 1]; a comparison is accepted when score >= threshold (ties accept).",
            "FAR(t) = impostor pairs with score >= t / impostor pairs (ISO FMR); FRR(t) = genuine pairs with score < t / genuine pairs (ISO FNMR); TAR = 1 - FRR.",
            "TAR@FAR=f: budget k = floor(f * impostor pairs); k = 0 is insufficient (lowest supportable FAR 1 / impostor pairs); otherwise the lowest threshold with at most k false accepts (the next float above the (k+1)-th highest impostor score), so the achieved FAR never exceeds f.",
            "EER: over candidate thresholds (every distinct score), the lowest one minimising |FAR - FRR|; EER = (FAR + FRR) / 2 there.",
            "AUC: exact area under the ROC, ties counted as half (Mann-Whitney).",
            "Best accuracy: max over all thresholds of (TP + TN) / (genuine + impostor pairs), lowest maximising threshold; chosen on the test data itself, so optimistic.",
            "k-fold accuracy: contiguous folds over the pair list; each fold is scored at the best-accuracy threshold of the other folds; mean and population standard deviation.",
            "Balanced accuracy: (TAR + TRR) / 2, TRR = 1 - FAR; best over all thresholds and k-fold as for accuracy. Where impostor pairs outnumber genuine ones, views lead with it: a model that rejects everything scores 0.5 however many impostors there are.",
            "d' = (mean_G - mean_I) / sqrt((var_G + var_I) / 2), population variances.",
            "FTA = images with no face / all images (from FaceComparison input: the distinct images the comparisons name). Completed: pairs of two embedded images. System-level: every pair, a failure scored -1. CommonCompleted: pairs every compared model completed.",
            "Intervals: TAR at a fixed threshold, Clopper-Pearson 95%; TAR@FAR, EER, AUC (each pair set) and model differences, 95% percentile bootstrap over identities (identities resampled with replacement, genuine pairs weighted by the identity's count, impostor pairs by the product of both, threshold re-derived per replicate), seeded; the same identities for every pair set and model.",
        };

        /// <summary>How a ModelComparison decides which model to pick (metrics.md, "Choosing a model").</summary>
        public static string[] Recommendation => new[]
        {
            "Operating point: the operating FAR asked for, or by default the strictest target FAR at which every compared model's system-level TAR is supported (and, with a bootstrap, has an interval).",
            "Decision between two models: the system-level TAR at the operating point (a pair with a failed image scored -1, as NIST FRTE does), with its paired 95% bootstrap interval over identities; the model whose TAR is higher is recommended when the other model is better in at most 2.5% of the bootstrap replicates (the interval excludes zero, or touches it only where replicates tie exactly). Without an operating point, the system-level EER decides the same way.",
            "When the system level does not separate them, the FTA difference decides by the same rule, with its own paired interval (the same identity draws): the model that fails to acquire fewer images is recommended. Otherwise no model is recommended (no clear difference).",
            "The completed-only and common-pair views are shown beside the decision; they never decide, because they leave out the pairs a model failed on, which are the pairs a deployment still meets.",
            "Several models: the one recommended over every other model in its pairwise comparisons is the overall recommendation; when no model beats every other, there is none, and the models no other model beats are named.",
        };

        public static string[] Identification => new[]
        {
            "Score: true cosine, float32. Identity score = max over that identity's gallery templates.",
            "Rank-k: share of mated probes whose true identity is among the top k identities; other identities tied with the true one rank above it (ties count against). CMC: Rank-k for k = 1..K.",
            "Open set: FPIR(t) = non-mated probes whose top-1 score >= t / non-mated probes; FNIR(t) = mated probes not (rank-1 correct and score >= t) / mated probes; TPIR = 1 - FNIR.",
            "TPIR@FPIR=f: budget k = floor(f * non-mated probes), the TAR@FAR rule applied to the non-mated probes' top-1 scores.",
            "Failures: a probe with no face is a miss and never a false positive (system-level); gallery images with no face are left out of the gallery.",
        };
    }
}
