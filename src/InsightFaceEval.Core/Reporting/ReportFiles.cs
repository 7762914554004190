using System;
using InsightFaceEval.IO;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace InsightFaceEval.Reporting
{
    /// <summary>The output formats, chosen by file extension.</summary>
    public enum ReportFormat
    {
        Html,
        Markdown,
        Json,
    }

    /// <summary>Writes a report to disk in the format its extension names, atomically.</summary>
    public static class ReportFiles
    {
        /// <summary>The format for <paramref name="path"/>'s extension, or null when it names none.</summary>
        public static ReportFormat? FormatOf(string path)
        {
            switch ((Path.GetExtension(path) ?? string.Empty).ToLowerInvariant())
            {
                case ".html":
                case ".htm":
                    return ReportFormat.Html;
                case ".md":
                case ".markdown":
                    return ReportFormat.Markdown;
                case ".json":
                    return ReportFormat.Json;
                default:
                    return null;
            }
        }

        /// <summary>The folder a Markdown report's chart SVGs go to, relative to the page.</summary>
        public static string ChartFolderName(string markdownPath) => Path.GetFileNameWithoutExtension(markdownPath) + ".charts";

        /// <summary>
        /// Writes the report. Returns every file written (the report first). Thumbnails go into HTML only,
        /// and only when <paramref name="thumbnails"/> is given.
        /// </summary>
        public static IReadOnlyList<string> Write(EvaluationReport report, string path, Thumbnails thumbnails, CancellationToken cancellationToken)
        {
            var format = FormatOf(path) ?? throw new ArgumentException($"'{path}' has no report extension (.html, .md or .json).", nameof(path));
            var written = new List<string>();
            switch (format)
            {
                case ReportFormat.Json:
                    AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ReportJson.Write(report)), overwrite: true, cancellationToken);
                    written.Add(path);
                    break;
                case ReportFormat.Html:
                    {
                        var charts = ReportCharts.All(report);
                        cancellationToken.ThrowIfCancellationRequested();
                        var html = HtmlReportWriter.Render(report, charts, thumbnails);
                        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(html), overwrite: true, cancellationToken);
                        written.Add(path);
                        break;
                    }

                case ReportFormat.Markdown:
                    {
                        var charts = ReportCharts.All(report);
                        var folderName = ChartFolderName(path);
                        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)), folderName);
                        var chartFiles = new List<string>();
                        if (charts.Count > 0)
                        {
                            Directory.CreateDirectory(folder);
                            foreach (var c in charts)
                            {
                                var file = Path.Combine(folder, c.Id + ".svg");
                                var svg = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + c.Svg.Replace("<svg viewBox", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"400\" viewBox");
                                AtomicFile.WriteAllBytes(file, Encoding.UTF8.GetBytes(svg), overwrite: true, cancellationToken);
                                chartFiles.Add(file);
                            }
                        }

                        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(MarkdownReportWriter.Render(report, charts, charts.Count > 0 ? folderName : null)), overwrite: true, cancellationToken);
                        written.Add(path);
                        written.AddRange(chartFiles);
                        break;
                    }
            }

            return written;
        }
    }
}
