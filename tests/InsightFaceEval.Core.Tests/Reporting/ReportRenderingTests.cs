using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using InsightFaceEval.Reporting;
using Xunit;

namespace InsightFaceEval.Tests.Reporting
{
    public class ReportRenderingTests
    {
        [Fact]
        public void HtmlIsSelfContainedAndItsScriptMatchesThePolicyHash()
        {
            var report = ReportFixtures.Synthetic();
            var html = HtmlReportWriter.Render(report, ReportCharts.All(report), null);

            // Nothing the browser would fetch: every src/href is a fragment or data URI.
            foreach (Match m in Regex.Matches(html, "(?:src|href)=\"([^\"]*)\""))
            {
                Assert.True(m.Groups[1].Value.StartsWith("#") || m.Groups[1].Value.StartsWith("data:"), $"external reference: {m.Value}");
            }

            Assert.DoesNotContain("@import", html);
            Assert.DoesNotContain("url(http", html);

            var policy = Regex.Match(html, "Content-Security-Policy\" content=\"([^\"]+)\"").Groups[1].Value;
            Assert.Contains("default-src 'none'", policy);
            var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
            using (var sha = SHA256.Create())
            {
                var hash = Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(script)));
                Assert.Contains("'sha256-" + hash + "'", policy);
            }
        }

        [Fact]
        public void ElementIdsAreUniqueAcrossAllInlinedCharts()
        {
            var report = ReportFixtures.Synthetic(models: 3);
            var html = HtmlReportWriter.Render(report, ReportCharts.All(report), null);
            var ids = Regex.Matches(html, " id=\"([^\"]+)\"").Cast<Match>().Select(m => m.Groups[1].Value).ToList();
            Assert.True(ids.Count > 10);
            Assert.Equal(ids.Count, ids.Distinct().Count());

            // Every clip-path reference points at an id that exists on the page.
            foreach (Match m in Regex.Matches(html, "url\\(#([^)]+)\\)"))
            {
                Assert.Contains(m.Groups[1].Value, ids);
            }
        }

        [Fact]
        public void RocAndDetOverlayEveryModelInItsOwnColour()
        {
            var report = ReportFixtures.Synthetic(models: 3);
            var charts = ReportCharts.All(report);
            Assert.Equal(new[] { "roc", "det", "hist-model-a-0", "hist-model-b-1", "hist-model-c-2" }, charts.Select(c => c.Id).ToArray());
            foreach (var chart in charts.Take(2))
            {
                Assert.Equal(3, chart.SeriesCount);
                for (var i = 0; i < 3; i++)
                {
                    var c = ReportCharts.ColorOf(i);
                    var rgb = $"rgb({c.R},{c.G},{c.B})";
                    Assert.True(chart.Svg.Contains("stroke:" + rgb) || chart.Svg.Contains("stroke=\"" + rgb), $"{chart.Id} lacks the line of model {i} ({rgb})");
                    Assert.Contains(">model-" + (char)('a' + i) + "<", chart.Svg);
                }
            }

            // The FAR axis is logarithmic: its tick labels are decades.
            Assert.Contains(">0.001<", charts[0].Svg);
            Assert.Contains(">0.01<", charts[0].Svg);
        }

        [Fact]
        public void SummaryShowsInsufficientInsteadOfANumberWhereTheBudgetIsZero()
        {
            var report = ReportFixtures.Synthetic(models: 1, impostor: 2000);
            var html = HtmlReportWriter.Render(report, ReportCharts.All(report), null);
            var md = MarkdownReportWriter.Render(report, ReportCharts.All(report), "x.charts");

            // 2,000 impostors support FAR down to 1e-3 (budget 2); 1e-4 and below have budget 0.
            // No model can measure 1e-4 and below: one sentence per table instead of columns of "insufficient".
            Assert.Equal(3, Regex.Matches(html, "Not measurable with these impostor pairs \\(budget of zero false accepts\\): FAR 1e-4, 1e-5, 1e-6\\.").Count);
            Assert.DoesNotContain("TAR @ FAR 1e-4", html);
            Assert.Contains("TAR @ FAR 1e-3", html);
            Assert.Contains("Not measurable with these impostor pairs (budget of zero false accepts): FAR 1e-4, 1e-5, 1e-6.", md);
            Assert.DoesNotContain("TAR@FAR 1e-4", md);
            Assert.Contains("TAR@FAR 1e-3", md);
            Assert.Contains(ReportText.Findings(report), f => f.StartsWith("FAR 1e-4, 1e-5, 1e-6: insufficient data", StringComparison.Ordinal));
        }

        [Fact]
        public void MarkdownHasOneRowPerModelAndEscapesTableBreakers()
        {
            var baseReport = ReportFixtures.Synthetic(models: 2);
            var odd = ReportFixtures.Model("we|ird_name", 128, new[] { 0.9, 0.8, 0.7 }, new[] { 0.1, 0.2, 0.3, 0.0 });
            var report = new EvaluationReport("t", DateTimeOffset.UtcNow, baseReport.Provenance, baseReport.Dataset, baseReport.Models.Concat(new[] { odd }), null, null, null);
            var md = MarkdownReportWriter.Render(report, ReportCharts.All(report), "r.charts");
            Assert.Contains("| we\\|ird\\_name |", md);
            Assert.Equal(3, Regex.Matches(md, "^\\| (model-a|model-b|we\\\\\\|ird\\\\_name) \\| [0-9.]+%", RegexOptions.Multiline).Count);
            Assert.Contains("](r.charts/roc.svg)", md);
        }

        [Fact]
        public void HtmlEmbedsThumbnailsOnlyWhenAsked()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ife-thumbs-" + Guid.NewGuid().ToString("N"))).FullName;
            try
            {
                var face = Path.Combine(dir, "face.png");
                using (var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(300, 200))
                {
                    SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, face);
                }

                var report = ReportFixtures.Synthetic(models: 1, imagePaths: new[] { face });
                var without = HtmlReportWriter.Render(report, ReportCharts.All(report), null);
                Assert.DoesNotContain("data:image/", without);
                Assert.DoesNotContain("<img", without);
                Assert.Contains("thumbnails were left out", without);

                var thumbs = new Thumbnails(64);
                var with = HtmlReportWriter.Render(report, ReportCharts.All(report), thumbs);
                Assert.Contains("Contains face images (biometric data)", with);
                Assert.Equal(16, Regex.Matches(with, "<img class=\"face\"").Count);
                var uri = Regex.Match(with, "src=\"data:image/jpeg;base64,([^\"]+)\"").Groups[1].Value;
                using (var decoded = SixLabors.ImageSharp.Image.Load(Convert.FromBase64String(uri)))
                {
                    Assert.Equal(64, decoded.Width);
                    Assert.Equal(43, decoded.Height);
                }

                Assert.Empty(thumbs.Problems);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ThumbnailsDropMetadataAndReportUnreadableImages()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ife-thumbs-" + Guid.NewGuid().ToString("N"))).FullName;
            try
            {
                var photo = Path.Combine(dir, "photo.jpg");
                using (var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(80, 80))
                {
                    img.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
                    img.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.ImageDescription, "secret-owner-name");
                    SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(img, photo);
                }

                Assert.Contains("secret-owner-name", Encoding.ASCII.GetString(File.ReadAllBytes(photo)));
                var thumbs = new Thumbnails();
                var uri = thumbs.DataUri(photo);
                var bytes = Convert.FromBase64String(uri.Substring(uri.IndexOf(',') + 1));
                Assert.DoesNotContain("secret-owner-name", Encoding.ASCII.GetString(bytes));
                Assert.DoesNotContain("Exif", Encoding.ASCII.GetString(bytes));

                var broken = Path.Combine(dir, "broken.png");
                File.WriteAllText(broken, "not an image");
                Assert.Null(thumbs.DataUri(broken));
                Assert.Null(thumbs.DataUri(Path.Combine(dir, "missing.png")));
                Assert.Equal(2, thumbs.Problems.Count);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ReportFilesPicksTheFormatByExtensionAndLeavesNoTemporaryFiles()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ife-report-" + Guid.NewGuid().ToString("N"))).FullName;
            try
            {
                var report = ReportFixtures.Synthetic();
                var html = ReportFiles.Write(report, Path.Combine(dir, "r.html"), null, CancellationToken.None);
                var md = ReportFiles.Write(report, Path.Combine(dir, "r.md"), null, CancellationToken.None);
                var json = ReportFiles.Write(report, Path.Combine(dir, "r.json"), null, CancellationToken.None);
                Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html[0]));
                Assert.StartsWith("# Synthetic evaluation", File.ReadAllText(md[0]));
                // ROC, DET and one histogram per model, as SVG files beside the page.
                Assert.Equal(4, md.Count - 1);
                Assert.All(md.Skip(1), f => Assert.StartsWith("<?xml", File.ReadAllText(f)));
                Assert.Equal("1.1", ReportJson.Read(File.ReadAllText(json[0])).SchemaVersion);

                // Overwrite in place, then a cancelled write: the old file stays whole and no temporary file is left.
                ReportFiles.Write(report, Path.Combine(dir, "r.json"), null, CancellationToken.None);
                var before = File.ReadAllText(json[0]);
                var cancelled = new CancellationTokenSource();
                cancelled.Cancel();
                Assert.ThrowsAny<OperationCanceledException>(() => ReportFiles.Write(ReportFixtures.Synthetic(seed: 99), json[0], null, cancelled.Token));
                Assert.Equal(before, File.ReadAllText(json[0]));
                Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
                Assert.Throws<ArgumentException>(() => ReportFiles.Write(report, Path.Combine(dir, "r.txt"), null, CancellationToken.None));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
