using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Reporting;

namespace InsightFaceEval.Tests.Reporting
{
    /// <summary>
    /// Reports built from seeded random scores. The rates are computed here by plain counting over sorted
    /// scores, independently of any module code (the report code never computes metrics itself).
    /// </summary>
    internal static class ReportFixtures
    {
        public static readonly double[] FarTargets = { 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6 };

        public static EvaluationReport Synthetic(int models = 2, int genuine = 400, int impostor = 20000, int seed = 7, IEnumerable<string> imagePaths = null)
        {
            var rng = new Random(seed);
            var list = new List<ModelReport>();
            var paths = imagePaths?.ToArray();
            for (var i = 0; i < models; i++)
            {
                var separation = 0.3 + 0.08 * i;
                var g = Enumerable.Range(0, genuine).Select(_ => Clamp(0.15 + separation + 0.14 * Gauss(rng))).ToArray();
                var im = Enumerable.Range(0, impostor).Select(_ => Clamp(0.05 + 0.09 * Gauss(rng))).ToArray();
                list.Add(Model($"model-{(char)('a' + i)}", 512 + 256 * i, g, im, paths));
            }

            return new EvaluationReport(
                "Synthetic evaluation",
                new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
                new ReportProvenance("9.9.9", new[] { "fp-0123456789abcdef" }, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 1, 1, 0, 0, TimeSpan.Zero),
                    new[] { new KeyValuePair<string, string>("Crop expansion", "0.2"), new KeyValuePair<string, string>("Crop max side", "256") }),
                new DatasetSummary("AllPairs", 40, 420, genuine, impostor),
                list,
                models < 2 ? null : new[]
                {
                    new ComparisonReport("model-a", "model-b", genuine, impostor, 40, 0.005, 0.005, 1000, 42, "model-b", "model-b is better at TAR@FAR=1e-3",
                        new[]
                        {
                            new MetricDifference("TAR@FAR=1e-3", 1e-3, 0.80, 0.90, 0.10, 0.05, 0.15, "model-b", "model-b is better"),
                            new MetricDifference("EER", null, 0.04, 0.035, -0.005, -0.012, 0.002, null, "no clear difference"),
                        }),
                },
                null,
                new[] { "Synthetic scores for tests." });
        }

        public static ModelReport Model(string name, int dimension, double[] genuine, double[] impostor, string[] imagePaths = null)
        {
            var set = Metrics(genuine, impostor);
            var sortedG = genuine.OrderBy(s => s).ToArray();
            var sortedI = impostor.OrderByDescending(s => s).ToArray();
            var roc = new List<RocPoint>();
            foreach (var t in genuine.Concat(impostor).Distinct().OrderByDescending(s => s).Where((s, k) => k % 7 == 0))
            {
                roc.Add(new RocPoint(t, (double)impostor.Count(s => s >= t) / impostor.Length, (double)genuine.Count(s => s >= t) / genuine.Length));
            }

            string P(int k) => imagePaths == null || imagePaths.Length == 0 ? null : imagePaths[k % imagePaths.Length];
            var hardG = sortedG.Take(4).Select((s, k) => new HardPair(true, $"id{k}/a.png", $"id{k}/b.png", $"id{k}", $"id{k}", s, P(2 * k), P(2 * k + 1)));
            var hardI = sortedI.Take(4).Select((s, k) => new HardPair(false, $"id{k}/a.png", $"id{k + 1}/a.png", $"id{k}", $"id{k + 1}", s, P(2 * k + 1), P(2 * k + 2)));
            return new ModelReport(name, dimension, 420, 2, 2.0 / 420, set, set, set,
                Summary(genuine), Summary(impostor), roc, ReportHistogram.FromScores(genuine, impostor), hardG, hardI);
        }

        public static MetricSet Metrics(double[] genuine, double[] impostor)
        {
            var imp = impostor.OrderByDescending(s => s).ToArray();
            var tars = new List<TarAtFar>();
            foreach (var f in FarTargets)
            {
                var k = (long)Math.Floor(f * imp.Length);
                if (k == 0)
                {
                    tars.Add(new TarAtFar(f, false, 0, 1.0 / imp.Length, null, null, null, null, null, null, null));
                    continue;
                }

                // Lowest threshold with at most k impostors at or above it: just above the (k+1)-th highest impostor.
                var threshold = k < imp.Length ? NextUp(imp[k]) : imp[imp.Length - 1];
                var fa = imp.Count(s => s >= threshold);
                var tar = (double)genuine.Count(s => s >= threshold) / genuine.Length;
                tars.Add(new TarAtFar(f, true, k, 1.0 / imp.Length, tar, threshold, (double)fa / imp.Length, null, null, Math.Max(0, tar - 0.02), Math.Min(1, tar + 0.02)));
            }

            return new MetricSet(genuine.Length, impostor.Length, tars, 0.031, 0.33, 0.9934, 0.975, 0.31, 0.972, 0.004, 4.1);
        }

        private static ScoreSummary Summary(double[] s)
        {
            var mean = s.Average();
            var sd = Math.Sqrt(s.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, s.Length - 1));
            return new ScoreSummary(s.Length, mean, sd, s.Min(), s.Max());
        }

        private static double NextUp(double x) => x + Math.Max(1e-12, Math.Abs(x) * 1e-12);

        private static double Clamp(double x) => Math.Max(-1, Math.Min(1, x));

        private static double Gauss(Random rng) =>
            Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    }
}
