using System.Linq;
using System.Text;

namespace InsightFaceEval.Reporting
{
    // The HTML report's closing sections: hardest errors (with thumbnails), dataset, provenance and definitions.
    public static partial class HtmlReportWriter
    {
        private static void HardestErrors(StringBuilder h, EvaluationReport report, Thumbnails thumbnails)
        {
            if (!report.Models.Any(m => m.HardestGenuine.Count + m.HardestImpostor.Count > 0)) { return; }
            h.Append("<section id=\"errors\"><h2>Hardest errors</h2>\n<p class=\"lead\">The lowest-scoring genuine pairs and the highest-scoring impostor pairs of each model. Mislabelled images, duplicates, poor crops and the model's real weaknesses show up here first.");
            if (thumbnails == null) { h.Append(" Face thumbnails were left out of this report."); }
            h.Append("</p>\n");
            foreach (var m in report.Models)
            {
                if (m.HardestGenuine.Count + m.HardestImpostor.Count == 0) { continue; }
                if (m.HardestGenuine.Count > 0)
                {
                    h.Append("<h3>").Append(E(m.Name)).Append(": lowest-scoring genuine pairs (same person)</h3>\n<div class=\"pairs\">");
                    foreach (var p in m.HardestGenuine) { Pair(h, p, thumbnails); }
                    h.Append("</div>\n");
                }

                if (m.HardestImpostor.Count > 0)
                {
                    h.Append("<h3>").Append(E(m.Name)).Append(": highest-scoring impostor pairs (different people)</h3>\n<div class=\"pairs\">");
                    foreach (var p in m.HardestImpostor) { Pair(h, p, thumbnails); }
                    h.Append("</div>\n");
                }
            }

            h.Append("</section>\n");
        }

        private static void Pair(StringBuilder h, HardPair p, Thumbnails thumbnails)
        {
            h.Append("<div class=\"pair\">");
            if (thumbnails != null)
            {
                h.Append("<div class=\"faces\">");
                Face(h, thumbnails.DataUri(p.ImagePath1), p.Path1);
                Face(h, thumbnails.DataUri(p.ImagePath2), p.Path2);
                h.Append("</div>");
            }

            h.Append("<div class=\"score\">").Append(ReportText.Number(p.Score)).Append("</div>");
            h.Append("<div class=\"who\">").Append(E(p.Identity1 ?? "?")).Append(": ").Append(E(p.Path1)).Append("</div>");
            h.Append("<div class=\"who\">").Append(E(p.Identity2 ?? "?")).Append(": ").Append(E(p.Path2)).Append("</div>");
            h.Append("</div>");
        }

        private static void Face(StringBuilder h, string dataUri, string alt)
        {
            if (dataUri == null) { h.Append("<div class=\"noimg\">image not available</div>"); }
            else { h.Append("<img class=\"face\" alt=\"").Append(E(alt)).Append("\" src=\"").Append(dataUri).Append("\">"); }
        }

        private static void Dataset(StringBuilder h, EvaluationReport report)
        {
            var d = report.Dataset;
            h.Append("<section id=\"dataset\"><h2>Dataset</h2><dl class=\"kv\">");
            Kv(h, "Protocol", d.Protocol ?? "n/a");
            Kv(h, "Identities", ReportText.Count(d.Identities));
            Kv(h, "Images", ReportText.Count(d.Images));
            Kv(h, "Genuine pairs", ReportText.Count(d.GenuinePairs));
            Kv(h, "Impostor pairs", ReportText.Count(d.ImpostorPairs));
            foreach (var m in report.Models)
            {
                Kv(h, $"{m.Name}: images / no face", $"{ReportText.Count(m.Images)} / {ReportText.Count(m.FailedImages)}");
            }

            h.Append("</dl></section>\n");
        }

        private static void Provenance(StringBuilder h, EvaluationReport report)
        {
            var p = report.Provenance;
            h.Append("<section id=\"provenance\"><h2>Provenance</h2><dl class=\"kv\">");
            Kv(h, "InsightFaceEval", p.ModuleVersion);
            Kv(h, "Report generated", ReportText.Date(report.GeneratedAt));
            Kv(h, "Models (as the server named them)", string.Join(", ", report.Models.Select(m => m.Dimension.HasValue ? $"{m.Name} ({m.Dimension}-d)" : m.Name).Concat(report.Identification.Select(i => i.Name)).Distinct()));
            Kv(h, "Endpoint fingerprint", p.EndpointFingerprints.Count == 0 ? "n/a" : string.Join(", ", p.EndpointFingerprints));
            Kv(h, "Extraction", p.FirstExtraction.HasValue ? $"{ReportText.Date(p.FirstExtraction)} to {ReportText.Date(p.LastExtraction)}" : "n/a");
            foreach (var kv in p.Settings) { Kv(h, kv.Key, kv.Value); }
            h.Append("</dl><p class=\"note\">The endpoint URL is confidential and is never recorded; the fingerprint (salted hash) only tells whether two runs used the same endpoint.</p></section>\n");
        }

        private static void Definitions(StringBuilder h)
        {
            h.Append("<section id=\"definitions\"><h2>Definitions</h2><dl class=\"kv\">");
            Kv(h, "Score", "True cosine similarity of two embeddings of the same model; a pair is accepted when score \u2265 threshold.");
            Kv(h, "FAR / FRR", "Share of impostor pairs accepted / genuine pairs rejected at a threshold (ISO FMR / FNMR). TAR = 1 \u2212 FRR.");
            Kv(h, "TAR @ FAR f", "With budget k = floor(f \u00D7 impostor pairs) false accepts, the lowest threshold with at most k false accepts; the achieved FAR never exceeds f. k = 0 is reported as insufficient.");
            Kv(h, "EER", "Where |FAR \u2212 FRR| is smallest over all observed thresholds; EER = (FAR + FRR) / 2 there.");
            Kv(h, "AUC", "Exact area under the ROC, ties counted half (Mann\u2013Whitney).");
            Kv(h, "FTA", "Failure to acquire: images in which the model found no face, over all images.");
            Kv(h, "Balanced accuracy", "(TAR + TRR) / 2 at the best threshold, and k-fold; where impostor pairs outnumber genuine ones the report leads with it, because plain accuracy rewards rejecting everything.");
            Kv(h, "Recommendation", string.Join(" ", InsightFaceEval.Metrics.MetricDefinitions.Recommendation));
            Kv(h, "Units", "Every rate (TAR, FAR, FRR, EER, FTA, accuracy) is a fraction in the JSON and a percentage with two decimals in every view; differences are in percentage points. AUC, d\u2032 and thresholds are plain numbers.");
            Kv(h, "Intervals", "95% percentile intervals from a seeded bootstrap over identities (pairs sharing a person are not independent).");
            h.Append("</dl></section>\n");
        }
    }
}
