using System.Collections.Generic;
using System.Globalization;

namespace InsightFaceEval.Embedding
{
    /// <summary>What a finished run tells the user once: lossy inputs, off-norm vectors, and the counts.</summary>
    internal static class RunSummary
    {
        public static IEnumerable<ExtractionEvent> EndOfRun(long lossyImages, IEnumerable<ModelState> models, double normTolerance, ExtractionProgress p)
        {
            if (lossyImages > 0)
            {
                yield return ExtractionEvent.Warning($"{lossyImages} input image(s) are JPEG or lossy WebP. Re-encoded crops are the most common cause of abnormally low scores: crop from the original photos and save as PNG.");
            }

            foreach (var state in models)
            {
                if (state.OffNormCount > 0)
                {
                    yield return ExtractionEvent.Warning(string.Format(CultureInfo.InvariantCulture,
                        "{0} embedding(s) from model '{1}' have a norm outside 1 ± {2} (for example {3:0.####}); the service promises unit vectors. Scores use the true cosine, so they are unaffected.",
                        state.OffNormCount, state.Name, normTolerance, state.ExampleNorm));
                }
            }

            yield return ExtractionEvent.Verbose(string.Format(CultureInfo.InvariantCulture,
                "Done: {0} extraction(s), {1} by new requests, {2} from the store, {3} failed; {4} request(s) sent in {5:0.0} s.",
                p.Completed, p.Uploaded, p.FromStore, p.Failed, p.Requests, p.Elapsed.TotalSeconds));
        }
    }
}
