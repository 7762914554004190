using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// Writes the report as one self-contained HTML file: inline CSS, inline SVG charts, thumbnails as
    /// data URIs, and a Content-Security-Policy that forbids every network request, so the file opens
    /// offline and cannot leak anything when opened.
    /// </summary>
    public static partial class HtmlReportWriter
    {
        // Runs in the reader's browser after load: proves every chart was laid out with visible marks and
        // text, and every thumbnail decoded, and says so on <body> (what the browser test reads). It never
        // logs on success, so any console message at all means something went wrong.
        internal const string RenderCheckScript = @"(function () {
  'use strict';
  function check() {
    var body = document.body, problems = [], charts = 0, images = 0;
    var figures = document.querySelectorAll('figure.chart');
    for (var i = 0; i < figures.length; i++) {
      var fig = figures[i], name = fig.getAttribute('data-chart-id'), svg = fig.querySelector('svg');
      if (!svg) { problems.push(name + ': no svg'); continue; }
      var box = svg.getBoundingClientRect();
      if (box.width < 100 || box.height < 60) { problems.push(name + ': laid out at ' + box.width + 'x' + box.height); continue; }
      var marks = 0, shapes = svg.querySelectorAll('polyline, polygon, path');
      for (var j = 0; j < shapes.length; j++) {
        var b = shapes[j].getBBox();
        if (b.width > 2 || b.height > 2) { marks++; }
      }
      var textLength = 0, texts = svg.querySelectorAll('text');
      for (var k = 0; k < texts.length; k++) { textLength += texts[k].getComputedTextLength(); }
      var series = parseInt(fig.getAttribute('data-series') || '0', 10);
      if (marks < series + 2) { problems.push(name + ': ' + marks + ' visible marks for ' + series + ' series'); continue; }
      if (textLength < 20) { problems.push(name + ': no visible text'); continue; }
      charts++;
    }
    var faces = document.querySelectorAll('img.face');
    for (var n = 0; n < faces.length; n++) {
      if (faces[n].complete && faces[n].naturalWidth > 0) { images++; }
      else { problems.push('thumbnail ' + n + ' did not decode'); }
    }
    body.setAttribute('data-page-height', String(Math.ceil(document.documentElement.scrollHeight)));
    body.setAttribute('data-charts-rendered', String(charts));
    body.setAttribute('data-images-rendered', String(images));
    if (problems.length > 0) {
      body.setAttribute('data-report-status', 'failed');
      body.setAttribute('data-report-problems', problems.join('; '));
      console.error('Report rendering check failed: ' + problems.join('; '));
    } else {
      body.setAttribute('data-report-status', 'rendered');
    }
  }
  if (document.readyState === 'complete') { check(); } else { window.addEventListener('load', check); }
})();";

        private const string Css = @"
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --accent:#0f4c81; --bg:#f6f7f9; --card:#fff; --warn:#9a3412; --warnbg:#fff7ed; --ok:#166534; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font: 14px/1.5 -apple-system, 'Segoe UI', Helvetica, Arial, 'Liberation Sans', sans-serif; }
header.top { background: linear-gradient(120deg, #0f4c81, #1c6fb0); color:#fff; padding: 28px 40px 22px; }
header.top h1 { margin:0 0 6px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; }
header.top .meta { opacity: .9; font-size: 13px; }
header.top .meta span + span::before { content: '\00B7'; margin: 0 8px; }
.badge { display:inline-block; margin-top:10px; padding: 3px 10px; border-radius: 999px; font-size: 12px; background: rgba(255,255,255,.16); border:1px solid rgba(255,255,255,.35); }
.badge.bio { background: #fff4e5; color: #8a3b00; border-color: #ffd8a8; }
nav.toc { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 40px; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 18px; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 40px 48px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin-bottom: 22px; box-shadow: 0 1px 2px rgba(0,0,0,.03); }
h2 { margin: 0 0 12px; font-size: 18px; color: var(--accent); }
h3 { margin: 18px 0 8px; font-size: 15px; }
p.lead, .caption, .note { color: var(--muted); }
.caption { font-size: 12.5px; margin: 6px 4px 0; }
ul.findings { margin: 0 0 8px; padding-left: 20px; }
ul.findings li { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 7px 10px; text-align: right; vertical-align: top; }
th { background: #f3f5f8; color: #374151; font-weight: 600; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: nowrap; }
.scroll { overflow-x: auto; }
table.metrics td .sub { white-space: nowrap; }
td.text, th.text { text-align: left; }
td .sub, th .sub { display:block; color: var(--muted); font-size: 11.5px; font-weight: 400; }
td.insufficient { color: var(--warn); background: var(--warnbg); }
.swatch { display:inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.verdict-better { color: var(--ok); font-weight: 600; }
.verdict-none { color: var(--muted); }
header.top p.recommendation { margin: 12px 0 4px; padding: 10px 14px; border-radius: 8px; background: #fff; color: var(--ink); font-size: 15px; font-weight: 600; max-width: 1100px; }
header.top p.recommendation.none { font-weight: 500; }
tr.decides td { background: #f0fdf4; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 18px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; background: #fff; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12.5px; color: var(--muted); padding: 4px 6px 2px; }
figcaption b { color: var(--ink); }
.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 12px; }
.pair { border: 1px solid var(--line); border-radius: 8px; padding: 10px; background: #fcfcfd; }
.pair .faces { display: flex; gap: 8px; margin-bottom: 6px; }
.pair img.face, .pair .noimg { width: 112px; height: 112px; object-fit: contain; background: #eef0f3; border-radius: 6px; }
.pair .noimg { display:flex; align-items:center; justify-content:center; color: var(--muted); font-size: 11px; text-align:center; padding: 6px; }
.pair .score { font-weight: 650; font-size: 15px; }
.pair .who { font-size: 12px; color: var(--muted); word-break: break-all; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; word-break: break-all; }
details { margin-top: 12px; }
summary { cursor: pointer; color: var(--accent); }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 10px 0 30px; }
@media print { nav.toc { display:none; } section { break-inside: avoid; box-shadow:none; } body { background:#fff; } }
";

        /// <summary>Renders the report. Thumbnails are embedded only when <paramref name="thumbnails"/> is given.</summary>
        public static string Render(EvaluationReport report, IReadOnlyList<ReportChart> charts, Thumbnails thumbnails)
        {
            var h = new StringBuilder(64 * 1024);
            var scriptHash = Convert.ToBase64String(Sha256(Encoding.UTF8.GetBytes(RenderCheckScript)));
            h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            // No network at all: only inline styles, this one script (by hash) and data: images.
            h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-")
                .Append(scriptHash).Append("'\">\n");
            h.Append("<meta name=\"generator\" content=\"InsightFaceEval ").Append(E(report.Provenance.ModuleVersion)).Append("\">\n");
            h.Append("<meta name=\"report-schema-version\" content=\"").Append(E(report.SchemaVersion)).Append("\">\n");
            h.Append("<title>").Append(E(report.Title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n");
            h.Append("<body data-report-status=\"pending\" data-expected-charts=\"").Append(charts.Count).Append("\">\n");

            Header(h, report, thumbnails != null);
            h.Append("<nav class=\"toc\">");
            if (report.Comparisons.Count > 0) { h.Append("<a href=\"#decision\">Decision</a>"); }
            h.Append("<a href=\"#summary\">Summary</a>");
            if (charts.Count > 0) { h.Append("<a href=\"#curves\">Curves</a>"); }
            if (report.Models.Any(m => m.Histogram != null)) { h.Append("<a href=\"#distributions\">Score distributions</a>"); }
            if (report.Comparisons.Count > 0) { h.Append("<a href=\"#comparison\">Model comparison</a>"); }
            if (report.Identification.Count > 0) { h.Append("<a href=\"#identification\">Identification</a>"); }
            if (report.Models.Any(m => m.HardestGenuine.Count + m.HardestImpostor.Count > 0)) { h.Append("<a href=\"#errors\">Hardest errors</a>"); }
            h.Append("<a href=\"#dataset\">Dataset</a><a href=\"#provenance\">Provenance</a><a href=\"#definitions\">Definitions</a></nav>\n<main>\n");

            if (report.Comparisons.Count > 0) { Decision(h, report); }
            Summary(h, report);
            var curveCharts = charts.Where(c => c.Id == "roc" || c.Id == "det").ToList();
            if (curveCharts.Count > 0)
            {
                h.Append("<section id=\"curves\"><h2>ROC and DET curves</h2>\n<p class=\"lead\">All models overlaid: at system level when a model failed to acquire faces (where the decision is made), otherwise on the pairs each completed. FAR is on a log scale: the strict operating points a deployment uses are on the left.</p>\n<div class=\"charts\">\n");
                foreach (var c in curveCharts) { Figure(h, c); }
                h.Append("</div></section>\n");
            }

            var histograms = charts.Where(c => c.Id.StartsWith("hist-", StringComparison.Ordinal)).ToList();
            if (histograms.Count > 0)
            {
                h.Append("<section id=\"distributions\"><h2>Genuine and impostor score distributions</h2>\n<div class=\"charts\">\n");
                foreach (var c in histograms) { Figure(h, c); }
                h.Append("</div>\n");
                ScoreSummaryTable(h, report);
                h.Append("</section>\n");
            }

            if (report.Comparisons.Count > 0) { Comparison(h, report); }
            if (report.Identification.Count > 0) { Identification(h, report, charts.FirstOrDefault(c => c.Id == "cmc")); }
            HardestErrors(h, report, thumbnails);
            Dataset(h, report);
            Provenance(h, report);
            Definitions(h);
            h.Append("</main>\n<footer>Generated by InsightFaceEval ").Append(E(report.Provenance.ModuleVersion)).Append(" on ")
                .Append(E(ReportText.Date(report.GeneratedAt))).Append(" \u00B7 report schema ").Append(E(report.SchemaVersion)).Append("</footer>\n");
            h.Append("<script>").Append(RenderCheckScript).Append("</script>\n</body>\n</html>\n");
            return h.ToString();
        }

        private static void Header(StringBuilder h, EvaluationReport report, bool withFaces)
        {
            h.Append("<header class=\"top\"><h1>").Append(E(report.Title)).Append("</h1>\n");
            if (report.Recommendation != null)
            {
                // The first lines a reader sees: which model to pick, and why. The evidence follows below.
                h.Append("<p class=\"recommendation").Append(report.Recommendation.Model == null ? " none" : string.Empty).Append("\" id=\"recommendation\">")
                    .Append(E(report.Recommendation.Text)).Append("</p>\n");
            }

            h.Append("<div class=\"meta\">");
            h.Append("<span>").Append(E(ReportText.Date(report.GeneratedAt))).Append("</span>");
            if (report.Models.Count > 0) { h.Append("<span>Models: ").Append(E(string.Join(", ", report.Models.Select(m => m.Name)))).Append("</span>"); }
            else if (report.Identification.Count > 0) { h.Append("<span>Models: ").Append(E(string.Join(", ", report.Identification.Select(m => m.Name)))).Append("</span>"); }
            if (report.Dataset.Identities.HasValue) { h.Append("<span>").Append(ReportText.Count(report.Dataset.Identities)).Append(" identities</span>"); }
            if (report.Dataset.Images.HasValue) { h.Append("<span>").Append(ReportText.Count(report.Dataset.Images)).Append(" images</span>"); }
            h.Append("<span>InsightFaceEval ").Append(E(report.Provenance.ModuleVersion)).Append("</span></div>\n");
            if (withFaces)
            {
                h.Append("<div class=\"badge bio\">Contains face images (biometric data): share only with people allowed to see the dataset</div>");
            }

            h.Append("</header>\n");
        }

        private static void Summary(StringBuilder h, EvaluationReport report)
        {
            h.Append("<section id=\"summary\"><h2>Summary</h2>\n");
            var findings = ReportText.Findings(report);
            h.Append("<ul class=\"findings\">");
            foreach (var f in findings) { h.Append("<li>").Append(E(f)).Append("</li>"); }
            foreach (var n in report.Notes) { h.Append("<li class=\"note\">").Append(E(n)).Append("</li>"); }
            h.Append("</ul>\n");
            if (report.Models.Count == 0)
            {
                h.Append("</section>\n");
                return;
            }

            h.Append("<h3>On the pairs each model completed</h3>\n");
            MetricTable(h, report, m => m.Completed, true);
            if (report.Models.Any(m => m.SystemLevel != null))
            {
                // Open when a model failed to acquire faces: its completed-pair numbers alone would flatter it.
                var anyFailures = report.Models.Any(m => (m.FailureToAcquireRate ?? 0) > 0);
                h.Append(anyFailures ? "<details open>" : "<details>").Append("<summary>System level: pairs with a failed image scored \u22121</summary>\n");
                MetricTable(h, report, m => m.SystemLevel, false);
                h.Append("</details>\n");
            }

            if (report.Models.Any(m => m.CommonPairs != null))
            {
                h.Append("<details><summary>On the pairs every model completed</summary>\n");
                MetricTable(h, report, m => m.CommonPairs, false);
                h.Append("</details>\n");
            }

            h.Append("<p class=\"note\">TAR cells show TAR and, in brackets, its 95% interval where one was computed (bootstrap over identities); the threshold and achieved FAR are below. \u201cinsufficient\u201d means the data has too few impostor pairs to measure that FAR. Best accuracy uses a threshold chosen on this same data, so it is optimistic; k-fold accuracy is not.</p>\n");
            h.Append("</section>\n");
        }

        private static void MetricTable(StringBuilder h, EvaluationReport report, Func<ModelReport, MetricSet> select, bool withFta)
        {
            // A FAR no model can measure gets one sentence below the table instead of a column of "insufficient".
            var targets = ReportText.FarTargets(report).Where(f => report.Models.Any(m => select(m)?.Find(f)?.IsSupported == true)).ToList();
            var unmeasurable = ReportText.FarTargets(report).Except(targets).ToList();
            h.Append("<div class=\"scroll\"><table class=\"metrics\"><thead><tr><th class=\"text\">Model</th>");
            if (withFta) { h.Append("<th>FTA</th>"); }

            foreach (var f in targets) { h.Append("<th>TAR @ FAR ").Append(E(ReportText.Far(f))).Append("</th>"); }
            h.Append("<th>EER</th><th>AUC</th><th>Accuracy<span class=\"sub\">best / k-fold; balanced first where impostors outnumber genuines</span></th><th>d\u2032</th></tr></thead><tbody>\n");
            for (var i = 0; i < report.Models.Count; i++)
            {
                var m = report.Models[i];
                var s = select(m);
                h.Append("<tr><td class=\"text\"><span class=\"swatch\" style=\"background:").Append(Hex(i)).Append("\"></span><b>").Append(E(m.Name)).Append("</b>");
                if (m.Dimension.HasValue) { h.Append("<span class=\"sub\">").Append(m.Dimension.Value).Append("-d embedding</span>"); }
                if (s != null)
                {
                    h.Append("<span class=\"sub\">").Append(ReportText.Count(s.GenuinePairs)).Append(" genuine / ").Append(ReportText.Count(s.ImpostorPairs)).Append(" impostor</span>");
                }

                h.Append("</td>");
                if (withFta)
                {
                    h.Append("<td>").Append(ReportText.Percent(m.FailureToAcquireRate)).Append("<span class=\"sub\">").Append(ReportText.Count(m.FailedImages)).Append(" of ").Append(ReportText.Count(m.Images)).Append("</span></td>");
                }

                if (s == null)
                {
                    h.Append("<td colspan=\"").Append(targets.Count + 4).Append("\">not computed</td></tr>\n");
                    continue;
                }

                foreach (var f in targets)
                {
                    var t = s.Find(f);
                    if (t == null) { h.Append("<td>n/a</td>"); continue; }
                    if (!t.IsSupported)
                    {
                        h.Append("<td class=\"insufficient\">insufficient<span class=\"sub\">lowest FAR ")
                            .Append(ReportText.IsFinite(t.LowestSupportableFar) ? E(ReportText.Sci(t.LowestSupportableFar)) : "n/a").Append("</span></td>");
                        continue;
                    }

                    h.Append("<td>").Append(ReportText.Percent(t.Tar));
                    if (t.TarLower.HasValue && t.TarUpper.HasValue)
                    {
                        h.Append("<span class=\"sub\">[").Append(ReportText.Percent(t.TarLower)).Append(", ").Append(ReportText.Percent(t.TarUpper)).Append("]</span>");
                    }

                    h.Append("<span class=\"sub\">t ").Append(ReportText.Number(t.Threshold)).Append(" \u00B7 FAR ").Append(t.AchievedFar.HasValue ? E(ReportText.Sci(t.AchievedFar.Value)) : "n/a").Append("</span></td>");
                }

                h.Append("<td>").Append(ReportText.Percent(s.Eer));
                if (s.EerIntervalLow.HasValue && s.EerIntervalHigh.HasValue)
                {
                    h.Append("<span class=\"sub\">[").Append(ReportText.Percent(s.EerIntervalLow)).Append(", ").Append(ReportText.Percent(s.EerIntervalHigh)).Append("]</span>");
                }

                h.Append("<span class=\"sub\">t ").Append(ReportText.Number(s.EerThreshold)).Append("</span></td>");
                h.Append("<td>").Append(ReportText.Number(s.Auc)).Append("</td>");
                h.Append("<td>");
                foreach (var line in ReportText.AccuracyLines(s))
                {
                    h.Append(line.Lead ? "<b>" : "<span class=\"sub\">").Append(E(line.Text)).Append(line.Lead ? "</b>" : "</span>");
                }

                h.Append("</td><td>").Append(ReportText.Number(s.DPrime, 2)).Append("</td></tr>\n");
            }

            h.Append("</tbody></table></div>\n");
            var fixedThreshold = report.Models.Where(m => select(m)?.AtThreshold != null).ToList();
            if (withFta && fixedThreshold.Count > 0)
            {
                h.Append("<p class=\"note\">At the fixed threshold (Clopper\u2013Pearson 95% intervals): ");
                h.Append(E(string.Join("; ", fixedThreshold.Select(m =>
                {
                    var a = select(m).AtThreshold;
                    return $"{m.Name} at t = {ReportText.Number(a.Threshold)}: TAR {ReportText.Percent(a.Tar)} [{ReportText.Percent(a.TarIntervalLow)}, {ReportText.Percent(a.TarIntervalHigh)}], FAR {(a.Far.HasValue ? ReportText.Sci(a.Far.Value) : "n/a")} [{(a.FarIntervalLow.HasValue ? ReportText.Sci(a.FarIntervalLow.Value) : "n/a")}, {(a.FarIntervalHigh.HasValue ? ReportText.Sci(a.FarIntervalHigh.Value) : "n/a")}]";
                })))).Append(".</p>\n");
            }

            if (unmeasurable.Count > 0)
            {
                h.Append("<p class=\"note\">Not measurable with these impostor pairs (budget of zero false accepts): FAR ")
                    .Append(E(string.Join(", ", unmeasurable.Select(ReportText.Far)))).Append(".</p>\n");
            }
        }

        private static void ScoreSummaryTable(StringBuilder h, EvaluationReport report)
        {
            h.Append("<h3>Score summaries</h3><table><thead><tr><th class=\"text\">Model</th><th>Genuine mean \u00B1 sd</th><th>Genuine min / max</th><th>Impostor mean \u00B1 sd</th><th>Impostor min / max</th></tr></thead><tbody>\n");
            foreach (var m in report.Models)
            {
                h.Append("<tr><td class=\"text\"><b>").Append(E(m.Name)).Append("</b></td>");
                foreach (var s in new[] { m.GenuineScores, m.ImpostorScores })
                {
                    h.Append("<td>").Append(ReportText.Number(s?.Mean)).Append(" \u00B1 ").Append(ReportText.Number(s?.StandardDeviation)).Append("<span class=\"sub\">").Append(ReportText.Count(s?.Count)).Append(" pairs</span></td>");
                    h.Append("<td>").Append(ReportText.Number(s?.Minimum)).Append(" / ").Append(ReportText.Number(s?.Maximum)).Append("</td>");
                }

                h.Append("</tr>\n");
            }

            h.Append("</tbody></table>\n");
        }

        /// <summary>The decision and its evidence: per pair of models, the operating-point metric on each pair set and the FTA, with paired intervals.</summary>
        private static void Decision(StringBuilder h, EvaluationReport report)
        {
            h.Append("<section id=\"decision\"><h2>Decision</h2>\n");
            if (report.Recommendation != null) { h.Append("<p><b>").Append(E(report.Recommendation.Text)).Append("</b></p>\n"); }
            h.Append("<p class=\"lead\">The system-level view decides: every pair counts, and a pair with an image the model failed to acquire is scored \u22121 (a rejected genuine user), as NIST FRTE does. The other views leave out the pairs a model failed on and are shown for reference. Differences are B \u2212 A with 95% paired-bootstrap intervals over identities; a model is called better only where the other model is better in at most 2.5% of the replicates (replicates where both tie count for neither).</p>\n");
            foreach (var c in report.Comparisons)
            {
                var clear = !string.IsNullOrEmpty(c.BetterModel);
                h.Append("<h3>A = ").Append(E(c.ReferenceModel)).Append(", B = ").Append(E(c.DifferenceModel)).Append(": <span class=\"").Append(clear ? "verdict-better" : "verdict-none").Append("\">")
                    .Append(E(clear ? c.BetterModel + " recommended" : c.Verdict ?? "n/a")).Append("</span></h3>\n");
                if (!string.IsNullOrEmpty(c.Recommendation) && report.Comparisons.Count > 1) { h.Append("<p>").Append(E(c.Recommendation)).Append("</p>\n"); }
                h.Append("<div class=\"scroll\"><table><thead><tr><th class=\"text\">View</th><th class=\"text\">Metric</th><th>A</th><th>B</th><th>B \u2212 A</th><th>95% interval</th><th class=\"text\">Verdict</th></tr></thead><tbody>\n");
                foreach (var d in c.Views.Concat(c.FailureToAcquire == null ? Enumerable.Empty<MetricDifference>() : new[] { c.FailureToAcquire }))
                {
                    bool decides = d.PairSet == PairSet.SystemLevel || (d.Metric == "FTA" && c.DecidedBy == "FTA");
                    DifferenceRow(h, d, ReportText.ViewName(d), decides);
                }

                h.Append("</tbody></table></div>\n");
                if (!string.IsNullOrEmpty(c.Disagreement)) { h.Append("<p class=\"note\"><b>Why the views disagree.</b> ").Append(E(c.Disagreement)).Append("</p>\n"); }
            }

            h.Append("</section>\n");
        }

        private static void DifferenceRow(StringBuilder h, MetricDifference d, string view, bool decides)
        {
            var better = !string.IsNullOrEmpty(d.BetterModel);
            h.Append(decides ? "<tr class=\"decides\">" : "<tr>");
            if (view != null) { h.Append("<td class=\"text\">").Append(E(view)).Append(decides ? " (decides)" : string.Empty).Append("</td>"); }
            h.Append("<td class=\"text\">").Append(E(d.Metric)).Append("</td><td>").Append(ReportText.Percent(d.ReferenceValue)).Append("</td><td>")
                .Append(ReportText.Percent(d.DifferenceValue)).Append("</td><td>").Append(ReportText.SignedPoints(d.Difference)).Append("</td><td>")
                .Append(d.Lower.HasValue && d.Upper.HasValue ? ReportText.SignedPoints(d.Lower) + " to " + ReportText.SignedPoints(d.Upper) : "n/a")
                .Append("</td><td class=\"text ").Append(better ? "verdict-better" : "verdict-none").Append("\">").Append(E(d.Verdict ?? "n/a")).Append("</td></tr>\n");
        }

        private static void Comparison(StringBuilder h, EvaluationReport report)
        {
            h.Append("<section id=\"comparison\"><h2>Paired model comparison on the pairs both models completed</h2>\n<p class=\"lead\">A secondary view: only the pairs both models completed, at every FAR target and the EER. It shows how the models score the faces both could use; it does not decide, because it leaves out the faces a model failed on. Differences are B \u2212 A with 95% intervals from a paired bootstrap over identities (the threshold re-derived in every replicate).</p>\n");
            foreach (var c in report.Comparisons)
            {
                h.Append("<h3>A = ").Append(E(c.ReferenceModel)).Append(", B = ").Append(E(c.DifferenceModel)).Append("</h3>\n");
                h.Append("<p class=\"note\">").Append(ReportText.Count(c.GenuinePairs)).Append(" genuine and ").Append(ReportText.Count(c.ImpostorPairs)).Append(" impostor pairs both completed, ")
                    .Append(ReportText.Count(c.Identities)).Append(" identities; FTA A ").Append(ReportText.Percent(c.ReferenceFta)).Append(", B ").Append(ReportText.Percent(c.DifferenceFta))
                    .Append("; ").Append(c.BootstrapSamples > 0 ? $"{c.BootstrapSamples:N0} bootstrap replicates, seed {c.BootstrapSeed}" : "no bootstrap").Append(".</p>\n");
                if (c.Differences.Count == 0)
                {
                    h.Append("<p class=\"note\">No pairs that both models completed could be measured.</p>\n");
                    continue;
                }

                h.Append("<div class=\"scroll\"><table><thead><tr><th class=\"text\">Metric</th><th>A</th><th>B</th><th>B \u2212 A</th><th>95% interval</th><th class=\"text\">Verdict</th></tr></thead><tbody>\n");
                foreach (var d in c.Differences) { DifferenceRow(h, d, null, false); }
                h.Append("</tbody></table></div>\n");
            }

            h.Append("</section>\n");
        }

        private static void Identification(StringBuilder h, EvaluationReport report, ReportChart cmc)
        {
            h.Append("<section id=\"identification\"><h2>1:N identification</h2>\n");
            var targets = report.Identification.SelectMany(i => i.TpirAtFpir).Select(t => t.TargetFpir).Distinct().OrderByDescending(f => f).ToList();
            h.Append("<table><thead><tr><th class=\"text\">Model</th><th>Gallery identities</th><th>Mated / non-mated probes</th><th>Rank-1</th><th>Rank-5</th>");
            foreach (var f in targets) { h.Append("<th>TPIR @ FPIR ").Append(E(ReportText.Far(f))).Append("</th>"); }
            h.Append("</tr></thead><tbody>\n");
            foreach (var i in report.Identification)
            {
                h.Append("<tr><td class=\"text\"><b>").Append(E(i.Name)).Append("</b></td><td>").Append(ReportText.Count(i.GalleryIdentities)).Append("</td><td>")
                    .Append(ReportText.Count(i.MatedProbes)).Append(" / ").Append(ReportText.Count(i.NonMatedProbes)).Append("</td><td>")
                    .Append(ReportText.Percent(i.Rank1)).Append("</td><td>").Append(ReportText.Percent(i.Rank5)).Append("</td>");
                foreach (var f in targets)
                {
                    var t = i.TpirAtFpir.FirstOrDefault(x => Math.Abs(x.TargetFpir - f) <= f * 1e-9);
                    if (t == null) { h.Append("<td>n/a</td>"); }
                    else if (!t.IsSupported) { h.Append("<td class=\"insufficient\">insufficient</td>"); }
                    else { h.Append("<td>").Append(ReportText.Percent(t.Tpir)).Append("<span class=\"sub\">t ").Append(ReportText.Number(t.Threshold)).Append("</span></td>"); }
                }

                h.Append("</tr>\n");
            }

            h.Append("</tbody></table>\n");
            if (cmc != null)
            {
                h.Append("<div class=\"charts\" style=\"margin-top:14px\">");
                Figure(h, cmc);
                h.Append("</div>");
            }

            h.Append("</section>\n");
        }

        private static void Figure(StringBuilder h, ReportChart c)
        {
            h.Append("<figure class=\"chart\" id=\"chart-").Append(E(c.Id)).Append("\" data-chart-id=\"").Append(E(c.Id)).Append("\" data-series=\"").Append(c.SeriesCount).Append("\">\n");
            h.Append(c.Svg).Append("\n<figcaption><b>").Append(E(c.Title)).Append(".</b> ").Append(E(c.Caption)).Append("</figcaption></figure>\n");
        }

        private static void Kv(StringBuilder h, string key, string value) =>
            h.Append("<dt>").Append(E(key)).Append("</dt><dd>").Append(E(value)).Append("</dd>");

        private static string Hex(int index)
        {
            var c = ReportCharts.ColorOf(index);
            return $"#{c.R:X2}{c.G:X2}{c.B:X2}";
        }

        private static string E(string s) => WebUtility.HtmlEncode(s ?? string.Empty);

        private static byte[] Sha256(byte[] data)
        {
            using (var sha = SHA256.Create()) { return sha.ComputeHash(data); }
        }
    }
}
