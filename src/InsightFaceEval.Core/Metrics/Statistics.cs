using System;
using System.Collections.Generic;

namespace InsightFaceEval.Metrics
{
    /// <summary>Small numeric routines the intervals need (no dependency carries them for netstandard2.0).</summary>
    public static class Statistics
    {
        /// <summary>Clopper-Pearson (exact binomial) interval for <paramref name="successes"/> of <paramref name="trials"/>.</summary>
        public static void ClopperPearson(long successes, long trials, double confidence, out double lower, out double upper)
        {
            if (trials <= 0) { throw new ArgumentOutOfRangeException(nameof(trials)); }
            double alpha = 1 - confidence;
            lower = successes == 0 ? 0 : BetaQuantile(alpha / 2, successes, trials - successes + 1);
            upper = successes == trials ? 1 : BetaQuantile(1 - alpha / 2, successes + 1, trials - successes);
        }

        /// <summary>The p-quantile of Beta(a, b), by bisection on the regularised incomplete beta function.</summary>
        public static double BetaQuantile(double p, double a, double b)
        {
            double lo = 0, hi = 1;
            for (int i = 0; i < 200 && hi - lo > 1e-17; i++)
            {
                double mid = (lo + hi) / 2;
                if (mid <= lo || mid >= hi) { break; }
                if (RegularizedIncompleteBeta(mid, a, b) < p) { lo = mid; } else { hi = mid; }
            }

            return (lo + hi) / 2;
        }

        /// <summary>I_x(a, b), by the continued fraction (modified Lentz) on whichever side converges.</summary>
        public static double RegularizedIncompleteBeta(double x, double a, double b)
        {
            if (x <= 0) { return 0; }
            if (x >= 1) { return 1; }
            double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
            if (x < (a + 1) / (a + b + 2))
            {
                return Math.Exp(lnFront) * BetaContinuedFraction(x, a, b) / a;
            }

            return 1 - Math.Exp(lnFront) * BetaContinuedFraction(1 - x, b, a) / b;
        }

        private static double BetaContinuedFraction(double x, double a, double b)
        {
            const double tiny = 1e-300;
            double qab = a + b, qap = a + 1, qam = a - 1;
            double c = 1, d = 1 - qab * x / qap;
            if (Math.Abs(d) < tiny) { d = tiny; }
            d = 1 / d;
            double h = d;
            for (int m = 1; m <= 1000000; m++)
            {
                int m2 = 2 * m;
                double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
                d = 1 + aa * d;
                if (Math.Abs(d) < tiny) { d = tiny; }
                c = 1 + aa / c;
                if (Math.Abs(c) < tiny) { c = tiny; }
                d = 1 / d;
                h *= d * c;
                aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
                d = 1 + aa * d;
                if (Math.Abs(d) < tiny) { d = tiny; }
                c = 1 + aa / c;
                if (Math.Abs(c) < tiny) { c = tiny; }
                d = 1 / d;
                double delta = d * c;
                h *= delta;
                if (Math.Abs(delta - 1) < 1e-15) { break; }
            }

            return h;
        }

        /// <summary>ln Gamma(x) for x &gt; 0 (Lanczos, g = 7, n = 9).</summary>
        public static double LogGamma(double x)
        {
            double[] g =
            {
                0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
            };
            if (x < 0.5) { return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x); }
            x -= 1;
            double sum = g[0];
            double t = x + 7.5;
            for (int i = 1; i < 9; i++) { sum += g[i] / (x + i); }
            return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
        }

        /// <summary>The p-quantile of <paramref name="sorted"/> with linear interpolation (numpy's default).</summary>
        public static double Percentile(IReadOnlyList<double> sorted, double p)
        {
            if (sorted.Count == 0) { throw new ArgumentException("No values.", nameof(sorted)); }
            double h = (sorted.Count - 1) * p;
            int lo = (int)Math.Floor(h);
            if (lo >= sorted.Count - 1) { return sorted[sorted.Count - 1]; }
            return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
        }

        /// <summary>floor(fraction * count), with the fraction read as the decimal a person typed (0.57 * 100 is 57, not 56).</summary>
        public static long Budget(double fraction, double count)
        {
            decimal f = (decimal)fraction;
            decimal n = (decimal)count;
            return (long)Math.Floor(f * n);
        }
    }
}
