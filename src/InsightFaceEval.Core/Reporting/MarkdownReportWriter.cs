using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// Writes the report as Markdown (for wikis, pull requests and tickets). Charts are referenced as SVG
    /// files in a folder beside the page; face images are never put into Markdown.
    /// </summary>
    public static class MarkdownReportWriter
    {
        /// <param name="chartFolderName">Folder (relative to the page) the chart SVGs are written to, or null for no charts.</param>
        public static string Render(EvaluationReport report, IReadOnlyList<ReportChart> charts, string chartFolderName)
        {
            var md = new StringBuilder();
            md.Append("# ").Append(Esc(report.Title)).Append("\n\n");
            if (report.Recommendation != null)
            {
                // The first lines: which model to pick, and why. The evidence follows.
                md.Append("**Recommendation.** ").Append(Esc(report.Recommendation.Text)).Append("\n\n");
            }

            md.Append("Generated ").Append(ReportText.Date(report.GeneratedAt)).Append(" by InsightFaceEval ").Append(Esc(report.Provenance.ModuleVersion))
                .Append(" (report schema ").Append(Esc(report.SchemaVersion)).Append(").\n\n");
            if (report.Comparisons.Count > 0)
            {
                md.Append("## Decision\n\nThe system-level view decides (a pair with an image the model failed to acquire is scored -1, a rejected genuine user, as NIST FRTE does); the other views leave out the pairs a model failed on. B - A with 95% paired-bootstrap intervals over identities.\n\n");
                foreach (var c in report.Comparisons)
                {
                    md.Append("### A = ").Append(Esc(c.ReferenceModel)).Append(", B = ").Append(Esc(c.DifferenceModel)).Append(": ")
                        .Append(Esc(!string.IsNullOrEmpty(c.BetterModel) ? c.BetterModel + " recommended" : c.Verdict ?? "n/a")).Append("\n\n");
                    if (!string.IsNullOrEmpty(c.Recommendation) && report.Comparisons.Count > 1) { md.Append(Esc(c.Recommendation)).Append("\n\n"); }
                    md.Append("| View | Metric | A | B | B - A | 95% interval | Verdict |\n|---|---|--:|--:|--:|--:|---|\n");
                    foreach (var view in c.Views.Concat(c.FailureToAcquire == null ? Enumerable.Empty<MetricDifference>() : new[] { c.FailureToAcquire }))
                    {
                        bool decides = view.PairSet == PairSet.SystemLevel || (view.Metric == "FTA" && c.DecidedBy == "FTA");
                        md.Append("| ").Append(Esc(ReportText.ViewName(view))).Append(decides ? " **(decides)**" : string.Empty).Append(' ');
                        Row(md, view);
                    }

                    md.Append('\n');
                    if (!string.IsNullOrEmpty(c.Disagreement)) { md.Append("*Why the views disagree.* ").Append(Esc(c.Disagreement)).Append("\n\n"); }
                }
            }

            md.Append("## Summary\n\n");
            foreach (var f in ReportText.Findings(report)) { md.Append("- ").Append(Esc(f)).Append('\n'); }
            foreach (var n in report.Notes) { md.Append("- *").Append(Esc(n)).Append("*\n"); }
            md.Append('\n');

            if (report.Models.Count > 0)
            {
                md.Append("### On the pairs each model completed\n\n");
                Table(md, report, m => m.Completed, true);
                if (report.Models.Any(m => m.SystemLevel != null))
                {
                    md.Append("### System level (pairs with a failed image scored -1)\n\n");
                    Table(md, report, m => m.SystemLevel, false);
                }

                if (report.Models.Any(m => m.CommonPairs != null))
                {
                    md.Append("### On the pairs every model completed\n\n");
                    Table(md, report, m => m.CommonPairs, false);
                }

                md.Append("TAR cells: TAR [95% interval] (threshold). \"insufficient\": too few impostor pairs to measure that FAR. Best accuracy picks its threshold on this same data.\n\n");
            }

            if (chartFolderName != null && charts.Count > 0)
            {
                md.Append("## Charts\n\n");
                foreach (var c in charts)
                {
                    md.Append("![").Append(Esc(c.Title)).Append("](").Append(chartFolderName).Append('/').Append(c.Id).Append(".svg)\n\n*")
                        .Append(Esc(c.Caption)).Append("*\n\n");
                }
            }

            if (report.Comparisons.Count > 0)
            {
                md.Append("## Paired model comparison on the pairs both models completed\n\nA secondary view (it leaves out the faces a model failed on, so it does not decide); B - A with 95% paired-bootstrap intervals over identities.\n\n");
                foreach (var c in report.Comparisons)
                {
                    md.Append("### A = ").Append(Esc(c.ReferenceModel)).Append(", B = ").Append(Esc(c.DifferenceModel)).Append("\n\n");
                    md.Append("| Metric | A | B | B - A | 95% interval | Verdict |\n|---|--:|--:|--:|--:|---|\n");
                    foreach (var diff in c.Differences)
                    {
                        md.Append("| ");
                        Row(md, diff);
                    }

                    md.Append('\n');
                }
            }

            if (report.Identification.Count > 0)
            {
                md.Append("## 1:N identification\n\n| Model | Gallery identities | Mated / non-mated probes | Rank-1 | Rank-5 |\n|---|--:|--:|--:|--:|\n");
                foreach (var i in report.Identification)
                {
                    md.Append("| ").Append(Esc(i.Name)).Append(" | ").Append(ReportText.Count(i.GalleryIdentities)).Append(" | ").Append(ReportText.Count(i.MatedProbes))
                        .Append(" / ").Append(ReportText.Count(i.NonMatedProbes)).Append(" | ").Append(ReportText.Percent(i.Rank1)).Append(" | ").Append(ReportText.Percent(i.Rank5)).Append(" |\n");
                }

                md.Append('\n');
            }

            if (report.Models.Any(m => m.HardestGenuine.Count + m.HardestImpostor.Count > 0))
            {
                md.Append("## Hardest errors\n\n| Model | Kind | Score | Image 1 | Image 2 |\n|---|---|--:|---|---|\n");
                foreach (var m in report.Models)
                {
                    foreach (var p in m.HardestGenuine.Concat(m.HardestImpostor))
                    {
                        md.Append("| ").Append(Esc(m.Name)).Append(" | ").Append(p.IsGenuine ? "genuine, low score" : "impostor, high score").Append(" | ")
                            .Append(ReportText.Number(p.Score)).Append(" | ").Append(Esc(p.Path1)).Append(" | ").Append(Esc(p.Path2)).Append(" |\n");
                    }
                }

                md.Append('\n');
            }

            var d = report.Dataset;
            md.Append("## Dataset\n\n| | |\n|---|---|\n");
            md.Append("| Protocol | ").Append(Esc(d.Protocol ?? "n/a")).Append(" |\n| Identities | ").Append(ReportText.Count(d.Identities))
                .Append(" |\n| Images | ").Append(ReportText.Count(d.Images)).Append(" |\n| Genuine pairs | ").Append(ReportText.Count(d.GenuinePairs))
                .Append(" |\n| Impostor pairs | ").Append(ReportText.Count(d.ImpostorPairs)).Append(" |\n\n");

            var p2 = report.Provenance;
            md.Append("## Provenance\n\n| | |\n|---|---|\n");
            md.Append("| InsightFaceEval | ").Append(Esc(p2.ModuleVersion)).Append(" |\n");
            md.Append("| Models (as the server named them) | ").Append(Esc(string.Join(", ", report.Models.Select(m => m.Name).Concat(report.Identification.Select(i => i.Name)).Distinct()))).Append(" |\n");
            md.Append("| Endpoint fingerprint | ").Append(Esc(p2.EndpointFingerprints.Count == 0 ? "n/a" : string.Join(", ", p2.EndpointFingerprints))).Append(" |\n");
            md.Append("| Extraction | ").Append(p2.FirstExtraction.HasValue ? $"{ReportText.Date(p2.FirstExtraction)} to {ReportText.Date(p2.LastExtraction)}" : "n/a").Append(" |\n");
            foreach (var kv in p2.Settings) { md.Append("| ").Append(Esc(kv.Key)).Append(" | ").Append(Esc(kv.Value)).Append(" |\n"); }
            md.Append('\n');
            return md.ToString();
        }

        /// <summary>"Metric | A | B | B - A | interval | verdict |" and the line end.</summary>
        private static void Row(StringBuilder md, MetricDifference d)
        {
            md.Append(d.PairSet != null || d.Metric == "FTA" ? "| " : string.Empty).Append(Esc(d.Metric)).Append(" | ").Append(ReportText.Percent(d.ReferenceValue)).Append(" | ").Append(ReportText.Percent(d.DifferenceValue))
                .Append(" | ").Append(ReportText.SignedPoints(d.Difference)).Append(" | ")
                .Append(d.Lower.HasValue && d.Upper.HasValue ? ReportText.SignedPoints(d.Lower) + " to " + ReportText.SignedPoints(d.Upper) : "n/a")
                .Append(" | ").Append(Esc(d.Verdict ?? "n/a")).Append(" |\n");
        }

        private static void Table(StringBuilder md, EvaluationReport report, Func<ModelReport, MetricSet> select, bool withFta)
        {
            // As in the HTML: a FAR no model can measure gets a sentence, not a column of "insufficient".
            var targets = ReportText.FarTargets(report).Where(f => report.Models.Any(m => select(m)?.Find(f)?.IsSupported == true)).ToList();
            var unmeasurable = ReportText.FarTargets(report).Except(targets).ToList();
            md.Append("| Model |");
            if (withFta) { md.Append(" FTA |"); }
            md.Append(" Genuine / impostor |");
            foreach (var f in targets) { md.Append(" TAR@FAR ").Append(ReportText.Far(f)).Append(" |"); }
            md.Append(" EER (threshold) | AUC | Accuracy (balanced first where impostors outnumber genuines) |\n|---|");
            if (withFta) { md.Append("--:|"); }
            md.Append("--:|");
            foreach (var unused in targets) { md.Append("--:|"); }
            md.Append("--:|--:|--:|\n");
            foreach (var m in report.Models)
            {
                var s = select(m);
                md.Append("| ").Append(Esc(m.Name)).Append(" |");
                if (withFta) { md.Append(' ').Append(ReportText.Percent(m.FailureToAcquireRate)).Append(" |"); }
                if (s == null)
                {
                    md.Append(" not computed |");
                    foreach (var unused in targets) { md.Append(" |"); }
                    md.Append(" | | |\n");
                    continue;
                }

                md.Append(' ').Append(ReportText.Count(s.GenuinePairs)).Append(" / ").Append(ReportText.Count(s.ImpostorPairs)).Append(" |");
                foreach (var f in targets)
                {
                    var t = s.Find(f);
                    md.Append(' ').Append(ReportText.TarCell(t));
                    if (t != null && t.IsSupported) { md.Append(" (").Append(ReportText.Number(t.Threshold)).Append(')'); }
                    md.Append(" |");
                }

                md.Append(' ').Append(ReportText.Percent(s.Eer)).Append(" (").Append(ReportText.Number(s.EerThreshold)).Append(") | ")
                    .Append(ReportText.Number(s.Auc)).Append(" | ")
                    .Append(string.Join("; ", ReportText.AccuracyLines(s).Select(l => l.Lead ? "**" + Esc(l.Text) + "**" : Esc(l.Text))));
                md.Append(" |\n");
            }

            md.Append('\n');
            if (unmeasurable.Count > 0)
            {
                md.Append("Not measurable with these impostor pairs (budget of zero false accepts): FAR ").Append(string.Join(", ", unmeasurable.Select(ReportText.Far))).Append(".\n\n");
            }
        }

        /// <summary>
        /// Every field here can come from outside (a server's model name, folder and file names, -Title, -Note,
        /// -Metadata). Markdown passes raw HTML through, so the HTML-significant characters become entities, every
        /// character with a Markdown meaning (emphasis, links, images, code, table cells) is backslash-escaped, and a
        /// script-capable URL scheme loses its colon, whatever renderer the page ends up in.
        /// </summary>
        internal static string Esc(string s)
        {
            if (string.IsNullOrEmpty(s)) { return string.Empty; }
            var sb = new StringBuilder(s.Length + 16);
            foreach (var c in s)
            {
                switch (c)
                {
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '&': sb.Append("&amp;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\r':
                    case '\n':
                    case '\t': sb.Append(' '); break;
                    case '\\':
                    case '`':
                    case '*':
                    case '_':
                    case '[':
                    case ']':
                    case '|':
                    case '~':
                        sb.Append('\\').Append(c);
                        break;
                    default:
                        if (!char.IsControl(c)) { sb.Append(c); }
                        break;
                }
            }

            return ScriptScheme.Replace(sb.ToString(), m => m.Groups[1].Value + "&#58;");
        }

        private static readonly System.Text.RegularExpressions.Regex ScriptScheme =
            new System.Text.RegularExpressions.Regex(@"\b(javascript|vbscript|data|livescript)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }
}
