using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace InsightFaceEval.Reporting
{
    /// <summary>A rendered chart: inline SVG plus what a reader (or a test) needs to know about it.</summary>
    public sealed class ReportChart
    {
        internal ReportChart(string id, string title, string caption, string svg, int seriesCount)
        {
            Id = id;
            Title = title;
            Caption = caption;
            Svg = svg;
            SeriesCount = seriesCount;
        }

        /// <summary>A stable id, unique within a report (also the prefix of the SVG's element ids).</summary>
        public string Id { get; }

        public string Title { get; }

        public string Caption { get; }

        /// <summary>The SVG element alone (no XML declaration), ready to inline into HTML.</summary>
        public string Svg { get; }

        public int SeriesCount { get; }
    }

    /// <summary>
    /// OxyPlot's managed text metrics (Helvetica's, from its PDF renderer) are in points, while SVG font
    /// sizes are pixels; scaled to pixels, and widened to the widest common fallback (DejaVu Sans, what a
    /// Linux browser without Arial uses), legends and axis titles get room in every browser.
    /// </summary>
    internal sealed class BrowserTextMeasurer : PdfRenderContext
    {
        private const double PointsToPixels = 96.0 / 72.0;
        private const double WidestFallback = 1.1;

        public BrowserTextMeasurer()
            : base(100, 100, OxyColors.White)
        {
        }

        public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
        {
            var size = base.MeasureText(text, fontFamily, fontSize, fontWeight);
            return new OxySize(size.Width * PointsToPixels * WidestFallback, size.Height * PointsToPixels);
        }
    }

    /// <summary>
    /// Charts of a report, drawn by OxyPlot and exported with its SVG exporter (pure managed code:
    /// text is measured from built-in font metrics, so no native font stack is needed).
    /// </summary>
    public static class ReportCharts
    {
        /// <summary>Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.</summary>
        private static readonly OxyColor[] Palette =
        {
            OxyColor.FromRgb(0x00, 0x72, 0xB2), OxyColor.FromRgb(0xD5, 0x5E, 0x00), OxyColor.FromRgb(0x00, 0x9E, 0x73),
            OxyColor.FromRgb(0xCC, 0x79, 0xA7), OxyColor.FromRgb(0xE6, 0x9F, 0x00), OxyColor.FromRgb(0x56, 0xB4, 0xE9),
            OxyColor.FromRgb(0x00, 0x00, 0x00), OxyColor.FromRgb(0xF0, 0xE4, 0x42),
        };

        private static readonly LineStyle[] Dashes = { LineStyle.Solid, LineStyle.Dash, LineStyle.DashDot, LineStyle.Dot };

        private const string FontFamily = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
        private const int Width = 560;
        private const int Height = 400;

        public static OxyColor ColorOf(int modelIndex) => Palette[modelIndex % Palette.Length];

        /// <summary>Every chart the report shows, in reading order.</summary>
        public static IReadOnlyList<ReportChart> All(EvaluationReport report)
        {
            var charts = new List<ReportChart>();
            var withRoc = report.Models.Where(m => m.Roc.Count > 0).ToList();
            if (withRoc.Count > 0)
            {
                // Where a model failed to acquire faces, the curves are drawn at system level (where the decision is
                // made): completed-only curves would flatter the model that dropped the hard faces.
                bool system = report.Models.Any(m => (m.FailureToAcquireRate ?? 0) > 0) && report.Models.All(m => m.SystemLevelRoc.Count > 0);
                charts.Add(Roc(report.Models, system));
                charts.Add(Det(report.Models, system));
            }

            // One density scale and one score range for every model's histogram, fitted to the data, so the
            // distributions compare at a glance.
            var scale = HistogramScale.Of(report.Models);
            for (var i = 0; i < report.Models.Count; i++)
            {
                if (report.Models[i].Histogram != null) { charts.Add(Histogram(report.Models[i], i, scale)); }
            }

            if (report.Identification.Any(m => m.Cmc.Count > 0)) { charts.Add(Cmc(report.Identification)); }
            return charts;
        }

        /// <summary>ROC, TAR against FAR on a log axis, every model overlaid.</summary>
        public static ReportChart Roc(IReadOnlyList<ModelReport> models, bool systemLevel = false)
        {
            Func<ModelReport, IReadOnlyList<RocPoint>> curve = m => systemLevel ? m.SystemLevelRoc : m.Roc;
            var model = NewModel(systemLevel ? "ROC at system level (failed images rejected)" : "ROC: true accepts against false accepts");
            var minFar = LowestPlottableFar(models, curve);
            model.Axes.Add(new LogarithmicAxis
            {
                Position = AxisPosition.Bottom, Title = "False accept rate (FAR, log scale)", Minimum = minFar, Maximum = 1,
                MajorGridlineStyle = LineStyle.Solid, MinorGridlineStyle = LineStyle.Dot, StringFormat = "0.######",
                MajorGridlineColor = Grid, MinorGridlineColor = MinorGrid,
            });
            // Zoomed to the TARs the curves reach, so differences of a few points are visible; a little headroom keeps
            // a perfect model's line at TAR = 100% above the plot border.
            var lowestTar = models.SelectMany(curve).Where(p => p.Far >= minFar).Select(p => p.Tar).DefaultIfEmpty(0).Min();
            var bottom = Math.Max(0, Math.Floor((lowestTar - 0.02) * 20) / 20);
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Left, Title = bottom > 0 ? $"True accept rate (TAR, from {Percent(bottom)})" : "True accept rate (TAR)",
                Minimum = bottom, Maximum = 1 + (1 - bottom) * 0.02,
                MajorStep = TarStep(1 - bottom), MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = Grid, LabelFormatter = Percent,
            });
            var count = 0;
            for (var i = 0; i < models.Count; i++)
            {
                var points = curve(models[i]).Where(p => p.Far > 0).OrderBy(p => p.Far).ThenBy(p => p.Tar).Select(p => new DataPoint(p.Far, p.Tar)).ToList();
                if (points.Count == 0) { continue; }
                model.Series.Add(Line(models[i].Name, i, points));
                count++;
            }

            model.Legends.Add(NewLegend(LegendPosition.BottomRight));
            return Export("roc", model, count, "ROC curves",
                (systemLevel
                    ? "Share of genuine pairs accepted (TAR) at each false-accept rate at system level: every pair counts, and a pair with an image the model failed to acquire is a rejection. Higher is better; the left of the chart holds the strict operating points."
                    : "Share of genuine pairs accepted (TAR) at each false-accept rate, each model on the pairs it completed. Higher is better; the left of the chart holds the strict operating points.") +
                (bottom > 0 ? $" The TAR axis starts at {Percent(bottom)}, where the curves are, so small differences show." : string.Empty));
        }

        /// <summary>DET: false rejects against false accepts, both on log axes (as NIST's FRVT plots them).</summary>
        public static ReportChart Det(IReadOnlyList<ModelReport> models, bool systemLevel = false)
        {
            Func<ModelReport, IReadOnlyList<RocPoint>> curve = m => systemLevel ? m.SystemLevelRoc : m.Roc;
            var model = NewModel(systemLevel ? "DET at system level (failed images rejected)" : "DET: false rejects against false accepts");
            var minFar = LowestPlottableFar(models, curve);
            var positiveFrr = models.SelectMany(curve).Select(p => p.Frr).Where(f => f > 0).DefaultIfEmpty(1e-3).Min();
            model.Axes.Add(new LogarithmicAxis
            {
                Position = AxisPosition.Bottom, Title = "False accept rate (FAR, log scale)", Minimum = minFar, Maximum = 1,
                MajorGridlineStyle = LineStyle.Solid, MinorGridlineStyle = LineStyle.Dot, StringFormat = "0.######",
                MajorGridlineColor = Grid, MinorGridlineColor = MinorGrid,
            });
            model.Axes.Add(new LogarithmicAxis
            {
                Position = AxisPosition.Left, Title = "False reject rate (FRR, log scale)", Minimum = FloorDecade(positiveFrr), Maximum = 1,
                MajorGridlineStyle = LineStyle.Solid, MinorGridlineStyle = LineStyle.Dot, LabelFormatter = Percent,
                MajorGridlineColor = Grid, MinorGridlineColor = MinorGrid,
            });
            var count = 0;
            var notDrawn = new List<string>();
            for (var i = 0; i < models.Count; i++)
            {
                var points = curve(models[i]).Where(p => p.Far > 0 && p.Frr > 0).OrderBy(p => p.Far).ThenByDescending(p => p.Frr).Select(p => new DataPoint(p.Far, p.Frr)).ToList();
                if (points.Count == 0)
                {
                    notDrawn.Add(models[i].Name);
                    continue;
                }

                model.Series.Add(Line(models[i].Name, i, points));
                count++;
            }

            model.Legends.Add(NewLegend(LegendPosition.TopRight));
            var caption = (systemLevel ? "At system level (a failed image is a false reject). " : string.Empty) + "False rejects against false accepts, both on log scales. Lower is better. A curve that stops early has no false rejects (or no false accepts) beyond that point.";
            if (notDrawn.Count > 0)
            {
                caption += $" Not drawn: {string.Join(", ", notDrawn)}, which rejected no genuine pair at any measured FAR above zero (a log scale cannot show zero).";
            }

            return Export("det", model, count, "DET curves", caption);
        }

        /// <summary>The score range and density maximum shared by every model's histogram.</summary>
        public sealed class HistogramScale
        {
            public double Minimum { get; private set; } = -1;

            public double Maximum { get; private set; } = 1;

            /// <summary>Highest density (share per unit score) of any bin of any model, genuine or impostor.</summary>
            public double Density { get; private set; } = 1;

            public static HistogramScale Of(IEnumerable<ModelReport> models)
            {
                double lo = double.PositiveInfinity, hi = double.NegativeInfinity, top = 0;
                foreach (var h in models.Select(m => m.Histogram).Where(h => h != null && h.BinCount > 0))
                {
                    long g = Math.Max(1, h.Genuine.Sum()), im = Math.Max(1, h.Impostor.Sum());
                    for (int b = 0; b < h.BinCount; b++)
                    {
                        if (h.Genuine[b] + h.Impostor[b] == 0) { continue; }
                        double width = h.BinEdges[b + 1] - h.BinEdges[b];
                        lo = Math.Min(lo, h.BinEdges[b] - width);
                        hi = Math.Max(hi, h.BinEdges[b + 1] + width);
                        top = Math.Max(top, Math.Max((double)h.Genuine[b] / g, (double)h.Impostor[b] / im) / width);
                    }
                }

                if (double.IsInfinity(lo)) { return new HistogramScale(); }
                return new HistogramScale { Minimum = Math.Max(-1, Math.Floor(lo * 10) / 10), Maximum = Math.Min(1, Math.Ceiling(hi * 10) / 10), Density = top > 0 ? top * 1.08 : 1 };
            }
        }

        /// <summary>Genuine and impostor score distributions of one model, as shares of their own population, on a scale shared with the other models.</summary>
        public static ReportChart Histogram(ModelReport m, int modelIndex, HistogramScale scale = null)
        {
            var h = m.Histogram;
            scale = scale ?? HistogramScale.Of(new[] { m });
            var model = NewModel($"Scores: {m.Name}");
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Bottom, Title = "Cosine similarity", Minimum = scale.Minimum, Maximum = scale.Maximum,
                MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = Grid, StringFormat = "0.0#",
            });
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Left, Title = "Density (share per unit score)", Minimum = 0, Maximum = scale.Density,
                MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = Grid, StringFormat = "0.##",
            });
            var genuineTotal = Math.Max(1, h.Genuine.Sum());
            var impostorTotal = Math.Max(1, h.Impostor.Sum());
            var impostor = new HistogramSeries
            {
                Title = "Impostor pairs", FillColor = OxyColor.FromAColor(150, OxyColor.FromRgb(0xD5, 0x5E, 0x00)),
                StrokeColor = OxyColor.FromRgb(0xD5, 0x5E, 0x00), StrokeThickness = 0.6,
            };
            var genuine = new HistogramSeries
            {
                Title = "Genuine pairs", FillColor = OxyColor.FromAColor(150, OxyColor.FromRgb(0x00, 0x72, 0xB2)),
                StrokeColor = OxyColor.FromRgb(0x00, 0x72, 0xB2), StrokeThickness = 0.6,
            };
            for (var b = 0; b < h.BinCount; b++)
            {
                var lo = h.BinEdges[b];
                var hi = h.BinEdges[b + 1];
                // Area = share of the population, so genuine and impostor pairs compare however unequal their counts.
                if (h.Impostor[b] > 0) { impostor.Items.Add(new HistogramItem(lo, hi, (double)h.Impostor[b] / impostorTotal, (int)Math.Min(int.MaxValue, h.Impostor[b]))); }
                if (h.Genuine[b] > 0) { genuine.Items.Add(new HistogramItem(lo, hi, (double)h.Genuine[b] / genuineTotal, (int)Math.Min(int.MaxValue, h.Genuine[b]))); }
            }

            model.Series.Add(impostor);
            model.Series.Add(genuine);
            var strictest = m.Completed.TarAtFar.Where(t => t.IsSupported && t.Threshold.HasValue).OrderBy(t => t.TargetFar).FirstOrDefault();
            if (strictest != null)
            {
                model.Annotations.Add(new LineAnnotation
                {
                    Type = LineAnnotationType.Vertical, X = strictest.Threshold.Value, Color = OxyColors.Black, LineStyle = LineStyle.Dash,
                    StrokeThickness = 1.2, Text = $"threshold @ FAR {FormatFar(strictest.TargetFar)}", TextOrientation = AnnotationTextOrientation.Vertical,
                    FontSize = 11,
                });
            }

            model.Legends.Add(NewLegend(LegendPosition.TopLeft));
            var id = "hist-" + Slug(m.Name, modelIndex);
            return Export(id, model, 2, $"Score distributions: {m.Name}",
                $"Genuine (same person) and impostor (different people) similarities of {m.Name}, each as a share of its own pairs, on the density scale and score range every model's chart shares. Overlap is where errors happen." +
                (strictest != null ? $" The dashed line is the threshold for FAR {FormatFar(strictest.TargetFar)}." : string.Empty));
        }

        /// <summary>CMC: Rank-k identification rate against k, every model overlaid.</summary>
        public static ReportChart Cmc(IReadOnlyList<IdentificationReport> models)
        {
            var model = NewModel("CMC: identification rate by rank");
            var maxRank = models.Select(m => m.Cmc.Count).DefaultIfEmpty(1).Max();
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Bottom, Title = "Rank", Minimum = 1, Maximum = Math.Max(2, maxRank), MajorStep = maxRank > 20 ? 5 : 1,
                MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = Grid, StringFormat = "0",
            });
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Left, Title = "Identification rate", Minimum = 0, Maximum = 1.0001, MajorStep = 0.1,
                MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = Grid, StringFormat = "0.0",
            });
            var count = 0;
            for (var i = 0; i < models.Count; i++)
            {
                if (models[i].Cmc.Count == 0) { continue; }
                var line = Line(models[i].Name, i, models[i].Cmc.Select((v, k) => new DataPoint(k + 1, v)).ToList());
                line.MarkerType = MarkerType.Circle;
                line.MarkerSize = 3;
                line.MarkerFill = ColorOf(i);
                model.Series.Add(line);
                count++;
            }

            model.Legends.Add(NewLegend(LegendPosition.BottomRight));
            return Export("cmc", model, count, "CMC curves", "Share of mated probes whose true identity is among the top k gallery candidates.");
        }

        private static string Percent(double rate) => (rate * 100).ToString(rate >= 0.1 || rate == 0 ? "0.#" : "0.###", CultureInfo.InvariantCulture) + "%";

        /// <summary>A grid step for a TAR span: about 5 to 10 lines.</summary>
        private static double TarStep(double span) => span > 0.5 ? 0.1 : span > 0.25 ? 0.05 : span > 0.1 ? 0.02 : span > 0.05 ? 0.01 : 0.005;

        internal static string FormatFar(double far)
        {
            var exponent = Math.Log10(far);
            return Math.Abs(exponent - Math.Round(exponent)) < 1e-9
                ? "1e" + ((int)Math.Round(exponent)).ToString(CultureInfo.InvariantCulture)
                : far.ToString("0.######", CultureInfo.InvariantCulture);
        }

        private static readonly OxyColor Grid = OxyColor.FromRgb(0xE3, 0xE6, 0xEA);
        private static readonly OxyColor MinorGrid = OxyColor.FromRgb(0xF1, 0xF3, 0xF5);

        private static PlotModel NewModel(string title) => new PlotModel
        {
            Title = title,
            TitleFontSize = 14,
            TitleFontWeight = FontWeights.Bold,
            TitleColor = OxyColor.FromRgb(0x1F, 0x29, 0x37),
            DefaultFont = FontFamily,
            DefaultFontSize = 12,
            TextColor = OxyColor.FromRgb(0x37, 0x41, 0x51),
            PlotAreaBorderColor = OxyColor.FromRgb(0x9C, 0xA3, 0xAF),
            PlotAreaBorderThickness = new OxyThickness(1),
            Background = OxyColors.White,
            Padding = new OxyThickness(8, 8, 16, 8),
        };

        private static Legend NewLegend(LegendPosition position) => new Legend
        {
            LegendPosition = position,
            LegendPlacement = LegendPlacement.Inside,
            LegendBackground = OxyColor.FromAColor(230, OxyColors.White),
            LegendBorder = OxyColor.FromRgb(0xD1, 0xD5, 0xDB),
            LegendFontSize = 12,
        };

        private static LineSeries Line(string title, int index, IList<DataPoint> points)
        {
            var line = new LineSeries
            {
                Title = title,
                Color = ColorOf(index),
                StrokeThickness = 2.2,
                LineStyle = Dashes[(index / Palette.Length) % Dashes.Length],
            };
            line.Points.AddRange(points);
            return line;
        }

        private static double LowestPlottableFar(IEnumerable<ModelReport> models, Func<ModelReport, IReadOnlyList<RocPoint>> curve)
        {
            var lowest = models.SelectMany(curve).Select(p => p.Far).Where(f => f > 0).DefaultIfEmpty(1e-3).Min();
            return FloorDecade(lowest);
        }

        private static double FloorDecade(double value) => Math.Pow(10, Math.Floor(Math.Log10(Math.Max(value, 1e-9))));

        private static string Slug(string name, int index)
        {
            var slug = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
            return (slug.Length == 0 ? "model" : slug) + "-" + index.ToString(CultureInfo.InvariantCulture);
        }

        private static ReportChart Export(string id, PlotModel model, int seriesCount, string title, string caption)
        {
            string svg;
            using (var stream = new MemoryStream())
            {
                new SvgExporter { Width = Width, Height = Height, UseVerticalTextAlignmentWorkaround = false, TextMeasurer = new BrowserTextMeasurer() }.Export(model, stream);
                svg = Encoding.UTF8.GetString(stream.ToArray());
            }

            return new ReportChart(id, title, caption, Inline(svg, id), seriesCount);
        }

        /// <summary>
        /// Makes the exported document inlineable: drops the XML prolog, makes it scale with its container
        /// (viewBox), and prefixes its element ids, which every exported chart numbers from 1 and would
        /// otherwise collide on one page (each chart would clip with another's rectangle).
        /// </summary>
        internal static string Inline(string svg, string id)
        {
            var start = svg.IndexOf("<svg", StringComparison.Ordinal);
            if (start < 0) { throw new InvalidOperationException("The SVG exporter produced no <svg> element."); }
            svg = svg.Substring(start).Trim();
            svg = Regex.Replace(svg, "^<svg width=\"([0-9.]+)\" height=\"([0-9.]+)\"",
                mt => $"<svg viewBox=\"0 0 {mt.Groups[1].Value} {mt.Groups[2].Value}\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"{id}\" data-chart=\"{id}\"");
            svg = Regex.Replace(svg, "id=\"([A-Za-z]+[0-9]+)\"", mt => $"id=\"{id}-{mt.Groups[1].Value}\"");
            svg = Regex.Replace(svg, "url\\(#([A-Za-z]+[0-9]+)\\)", mt => $"url(#{id}-{mt.Groups[1].Value})");
            return svg;
        }
    }
}
