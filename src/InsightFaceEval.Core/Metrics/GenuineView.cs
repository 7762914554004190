using System;
using System.Collections.Generic;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>One genuine pair as the metrics need it. Failed pairs carry the key of -1.</summary>
    public struct GenuineRecord
    {
        public uint Key;
        public int Identity;
        public int Fold;
        public long Ordinal;
        public int ImageA;
        public int ImageB;
        public bool Common;
        public bool Failed;
    }

    /// <summary>
    /// A pair set's genuine scores, held exactly: there are few of them next to the impostors (a thousand
    /// identities of ten images give 45,000 genuine pairs against fifty million impostors).
    /// </summary>
    public sealed class GenuineView
    {
        public GenuineView(IEnumerable<GenuineRecord> records, int folds)
        {
            var list = new List<GenuineRecord>(records);
            list.Sort((x, y) => x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Ordinal.CompareTo(y.Ordinal));
            Records = list.ToArray();
            Keys = new uint[Records.Length];
            var perFold = new List<uint>[folds];
            for (int f = 0; f < folds; f++) { perFold[f] = new List<uint>(); }
            double sum = 0, squares = 0;
            for (int i = 0; i < Records.Length; i++)
            {
                Keys[i] = Records[i].Key;
                perFold[Records[i].Fold].Add(Records[i].Key);
                double v = ScoreKeys.Value(Records[i].Key);
                sum += v;
                squares += v * v;
            }

            FoldKeys = new uint[folds][];
            for (int f = 0; f < folds; f++) { FoldKeys[f] = perFold[f].ToArray(); }
            Sum = sum;
            SumOfSquares = squares;
        }

        /// <summary>Sorted by key (ascending), then by pair ordinal.</summary>
        public GenuineRecord[] Records { get; }

        public uint[] Keys { get; }

        public uint[][] FoldKeys { get; }

        public long Count => Keys.Length;

        public double Sum { get; }

        public double SumOfSquares { get; }

        public long CountBelow(uint key) => LowerBound(Keys, key);

        public long CountAtLeast(uint key) => Keys.Length - LowerBound(Keys, key);

        public long FoldCountAtLeast(int fold, uint key) => FoldKeys[fold].Length - LowerBound(FoldKeys[fold], key);

        public long FoldCountEqual(int fold, uint key) => LowerBound(FoldKeys[fold], (ulong)key + 1) - LowerBound(FoldKeys[fold], key);

        public long CountEqual(uint key) => LowerBound(Keys, (ulong)key + 1) - LowerBound(Keys, key);

        /// <summary>Distinct keys, ascending, with their multiplicity.</summary>
        public IEnumerable<KeyValuePair<uint, long>> Distinct()
        {
            int i = 0;
            while (i < Keys.Length)
            {
                int j = i;
                while (j < Keys.Length && Keys[j] == Keys[i]) { j++; }
                yield return new KeyValuePair<uint, long>(Keys[i], j - i);
                i = j;
            }
        }

        internal static int LowerBound(uint[] keys, uint key)
        {
            int lo = 0, hi = keys.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (keys[mid] < key) { lo = mid + 1; } else { hi = mid; }
            }

            return lo;
        }

        internal static int LowerBound(uint[] keys, ulong key) => key > uint.MaxValue ? keys.Length : LowerBound(keys, (uint)key);
    }
}
