using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Metrics;

namespace InsightFaceEval.Tests
{
    internal static class TestData
    {
        /// <summary>FaceComparison objects from scores and labels; identities cycle so every pair has a known label.</summary>
        public static List<FaceComparison> Comparisons(string model, float[] genuine, float[] impostor, int identities = 7, bool interleave = true)
        {
            var list = new List<FaceComparison>();
            int gi = 0, ii = 0, n = 0;
            while (gi < genuine.Length || ii < impostor.Length)
            {
                bool takeGenuine = ii >= impostor.Length || (gi < genuine.Length && (interleave ? n % 3 == 0 : true));
                n++;
                if (takeGenuine)
                {
                    int id = gi % identities;
                    list.Add(Comparison(model, $"id{id}/g{gi}a.png", $"id{id}/g{gi}b.png", $"id{id}", $"id{id}", genuine[gi++], true));
                }
                else
                {
                    int a = ii % identities, b = (ii + 1 + ii / identities % (identities - 1)) % identities;
                    if (a == b) { b = (b + 1) % identities; }
                    list.Add(Comparison(model, $"id{a}/i{ii}a.png", $"id{b}/i{ii}b.png", $"id{a}", $"id{b}", impostor[ii++], false));
                }
            }

            return list;
        }

        public static FaceComparison Comparison(string model, string a, string b, string ida, string idb, double score, bool genuine,
            EmbeddingStatus statusA = EmbeddingStatus.Success, EmbeddingStatus statusB = EmbeddingStatus.Success, int dimension = 0) =>
            new FaceComparison(model, "Test", dimension, "/data/" + a, a, ida, statusA, "/data/" + b, b, idb, statusB, score, genuine, null);

        public static VerificationOutcome Measure(List<FaceComparison> comparisons, VerificationOptions options = null)
        {
            var engine = new VerificationEngine(options ?? new VerificationOptions(), null, CancellationToken.None);
            var groups = comparisons.GroupBy(c => c.Model).Select(g => new KeyValuePair<string, List<FaceComparison>>(g.Key, g.ToList())).ToList();
            return engine.MeasureComparisons(groups);
        }

        /// <summary>Scores on a coarse grid, so genuine and impostor scores tie often.</summary>
        public static float[] Scores(Random rng, int n, double mean, double sd, int grid)
        {
            var s = new float[n];
            for (int i = 0; i < n; i++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                double v = Math.Max(-1, Math.Min(1, mean + sd * z));
                s[i] = grid > 0 ? (float)(Math.Round(v * grid) / grid) : (float)v;
            }

            return s;
        }

        public static FaceEmbedding Embedding(string model, string relative, float[] vector, EmbeddingStatus status = EmbeddingStatus.Success) =>
            new FaceEmbedding("/data/" + relative, relative, relative.Split('/')[0], model, status == EmbeddingStatus.Success ? vector : Array.Empty<float>(), status, null, null, TimeSpan.Zero, false);
    }
}
