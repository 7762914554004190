using System;

namespace InsightFaceEval.Onnx
{
    internal static class Vectors
    {
        /// <summary>Scales <paramref name="v"/> to unit length in place (a zero vector stays zero) and returns it.</summary>
        public static float[] Normalize(float[] v)
        {
            double sum = 0;
            for (var i = 0; i < v.Length; i++) { sum += (double)v[i] * v[i]; }
            if (sum <= 0 || double.IsNaN(sum) || double.IsInfinity(sum)) { return v; }
            var inv = 1.0 / Math.Sqrt(sum);
            for (var i = 0; i < v.Length; i++) { v[i] = (float)(v[i] * inv); }
            return v;
        }
    }
}
