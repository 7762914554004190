using System;
using System.Collections.Generic;
using InsightFaceEval.Imaging;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// The one rule for choosing faces (<see cref="FaceSelection"/>), used by the crop stage and by the local
    /// embedding engine alike.
    /// </summary>
    /// <remarks>
    /// LargestCentered (and RequireOne, which picks like it) is InsightFace's <c>detect(max_num=1)</c> default
    /// metric: box area minus twice the squared offset of the box centre from the image centre
    /// (<c>H // 2</c>, <c>W // 2</c>, whole pixels). Largest is the box area alone. On equal values the face
    /// with the higher detector score wins (a face without a score ranks below any score), then the earlier
    /// face: a detector lists its faces best score first, so this is the detector's own preference, and
    /// boxes given without scores keep the first of equals, whatever order they come in otherwise.
    /// </remarks>
    public static class FaceSelectionRule
    {
        /// <summary>
        /// Indexes (into <paramref name="faces"/>) of the faces to use. All and RequireOne return every index
        /// (for RequireOne the caller reports more than one face as its error).
        /// </summary>
        public static IReadOnlyList<int> Apply(IReadOnlyList<FaceDetection> faces, FaceSelection selection, int imageWidth, int imageHeight)
        {
            if (faces == null) { throw new ArgumentNullException(nameof(faces)); }
            if (faces.Count > 1 && (selection == FaceSelection.Largest || selection == FaceSelection.LargestCentered))
            {
                var best = Best(faces, selection, imageWidth, imageHeight);
                if (best >= 0) { return new[] { best }; }
            }

            // Every index; also when no face has a comparable value (a box with NaN numbers), so each is reported.

            var all = new int[faces.Count];
            for (var i = 0; i < all.Length; i++) { all[i] = i; }
            return all;
        }

        /// <summary>
        /// The index of the one face to use, or -1 when there is none (or none with comparable numbers). RequireOne picks as LargestCentered (the
        /// caller refuses several faces); All keeps every face and cannot pick one.
        /// </summary>
        public static int PickOne(IReadOnlyList<FaceDetection> faces, FaceSelection selection, int imageWidth, int imageHeight)
        {
            CheckPicksOne(selection);
            if (faces == null || faces.Count == 0) { return -1; }
            return Best(faces, selection, imageWidth, imageHeight);
        }

        /// <summary>Throws <see cref="ArgumentException"/> for a selection that does not pick one face (All).</summary>
        public static void CheckPicksOne(FaceSelection selection)
        {
            if (selection != FaceSelection.Largest && selection != FaceSelection.LargestCentered && selection != FaceSelection.RequireOne)
            {
                throw new ArgumentException($"The face selection {selection} does not pick one face; one face is picked by LargestCentered, Largest or RequireOne.", nameof(selection));
            }
        }

        private static int Best(IReadOnlyList<FaceDetection> faces, FaceSelection selection, int imageWidth, int imageHeight)
        {
            var centred = selection != FaceSelection.Largest;
            var best = -1;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < faces.Count; i++)
            {
                var f = faces[i];
                var value = f.Area;
                if (centred)
                {
                    var ox = f.CenterX - (imageWidth / 2);
                    var oy = f.CenterY - (imageHeight / 2);
                    value -= ((ox * ox) + (oy * oy)) * 2.0;
                }

                // NaN never wins (the crop stage reports such a box as invalid).
                if (value > bestValue || (value == bestValue && best >= 0 && RanksAbove(f.Score, faces[best].Score)))
                {
                    best = i;
                    bestValue = value;
                }
            }

            return best;
        }

        private static bool RanksAbove(float? score, float? other) => score.HasValue && (!other.HasValue || score.Value > other.Value);
    }
}
