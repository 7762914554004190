using System;
using System.Collections.Generic;
using System.Linq;

namespace InsightFaceEval.Faces
{
    /// <summary>How one face is chosen when a crop holds several (the hosted service embeds exactly one).</summary>
    public enum FaceSelectionMode
    {
        /// <summary>
        /// The largest face, penalised by its distance from the image centre: area - 2 * (squared centre offset),
        /// InsightFace's default for picking one face, so a bystander at the edge of a crop loses to the subject.
        /// </summary>
        LargestNearCenter = 0,

        /// <summary>The face with the largest box area.</summary>
        Largest = 1,
    }

    /// <summary>Post-processing shared by detectors: suppression of overlapping boxes and the one-face choice.</summary>
    public static class FaceSelection
    {
        /// <summary>
        /// Greedy non-maximum suppression: highest score first, dropping every box whose IoU with a kept box
        /// exceeds <paramref name="iouThreshold"/>. Returns the kept boxes, highest score first.
        /// </summary>
        public static List<FaceDetection> SuppressOverlaps(IEnumerable<FaceDetection> candidates, float iouThreshold)
        {
            var kept = new List<FaceDetection>();
            foreach (var candidate in candidates.OrderByDescending(c => c.Score))
            {
                var overlaps = false;
                foreach (var k in kept)
                {
                    if (FaceDetection.IntersectionOverUnion(candidate, k) > iouThreshold)
                    {
                        overlaps = true;
                        break;
                    }
                }

                if (!overlaps) { kept.Add(candidate); }
            }

            return kept;
        }

        /// <summary>
        /// The one-face rule for a crop selection as New-FaceCrop names it (Get-FaceEmbedding -FaceSelection):
        /// Largest picks by area; LargestCentered and RequireOne (which refuses several faces) pick as InsightFace does.
        /// All has no meaning for an embedding, which is of one face.
        /// </summary>
        public static FaceSelectionMode ModeFor(Imaging.FaceSelection selection)
        {
            switch (selection)
            {
                case Imaging.FaceSelection.Largest: return FaceSelectionMode.Largest;
                case Imaging.FaceSelection.LargestCentered:
                case Imaging.FaceSelection.RequireOne: return FaceSelectionMode.LargestNearCenter;
                default: throw new ArgumentException($"-FaceSelection {selection} cannot pick one face to embed; use LargestCentered, Largest or RequireOne.", nameof(selection));
            }
        }

        /// <summary>The index of the face to embed, or -1 when there is none.</summary>
        public static int SelectOne(IReadOnlyList<FaceDetection> faces, int imageWidth, int imageHeight, FaceSelectionMode mode)
        {
            if (faces == null || faces.Count == 0) { return -1; }
            var best = -1;
            var bestValue = double.NegativeInfinity;
            for (var i = 0; i < faces.Count; i++)
            {
                var f = faces[i];
                double value = f.Area;
                if (mode == FaceSelectionMode.LargestNearCenter)
                {
                    var dx = f.CenterX - (imageWidth / 2.0);
                    var dy = f.CenterY - (imageHeight / 2.0);
                    value -= 2.0 * ((dx * dx) + (dy * dy));
                }

                // Ties go to the higher score, then to the earlier face, so the choice is deterministic.
                if (value > bestValue || (value == bestValue && best >= 0 && f.Score > faces[best].Score))
                {
                    best = i;
                    bestValue = value;
                }
            }

            return best;
        }
    }
}
