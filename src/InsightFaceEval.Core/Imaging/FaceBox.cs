using System;
using System.Collections.Generic;
using System.Globalization;

namespace InsightFaceEval.Imaging
{
    /// <summary>How four numbers describe a box.</summary>
    public enum BoxFormat
    {
        /// <summary>x, y, width, height (the vendor helper's and Find-Face's convention).</summary>
        XYWH = 0,

        /// <summary>x1, y1, x2, y2: left, top, right, bottom (the usual detector output).</summary>
        XYXY = 1,
    }

    /// <summary>Which of an image's faces get cropped.</summary>
    public enum FaceSelection
    {
        /// <summary>Every face.</summary>
        All = 0,

        /// <summary>Only the face with the largest box area.</summary>
        Largest = 1,

        /// <summary>The face InsightFace's detector ranks first: box area minus twice the squared distance of its centre from the image centre.</summary>
        LargestCentered = 2,

        /// <summary>Exactly one face; an image with several is an error.</summary>
        RequireOne = 3,
    }

    /// <summary>One detector box for one face, in upright-image pixels, with its optional landmarks and score.</summary>
    public sealed class FaceBox
    {
        public FaceBox(double x, double y, double width, double height, float[] landmarks = null, float? score = null)
        {
            X = x;
            Y = y;
            Width = width;
            Height = height;
            Landmarks = landmarks;
            Score = score;
        }

        public double X { get; }

        public double Y { get; }

        public double Width { get; }

        public double Height { get; }

        /// <summary>x1, y1, ..., x5, y5, or null.</summary>
        public float[] Landmarks { get; }

        public float? Score { get; }

        /// <summary>Width times height (negative widths count as zero).</summary>
        public double Area => Math.Max(0, Width) * Math.Max(0, Height);

        /// <summary>A box from four numbers in the given convention.</summary>
        public static FaceBox FromValues(double a, double b, double c, double d, BoxFormat format, float[] landmarks = null, float? score = null) =>
            format == BoxFormat.XYXY
                ? new FaceBox(a, b, c - a, d - b, landmarks, score)
                : new FaceBox(a, b, c, d, landmarks, score);

        /// <summary>x, y, width, height as given.</summary>
        public double[] ToArray() => new[] { X, Y, Width, Height };

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "[{0}, {1}, {2}, {3}]", X, Y, Width, Height);

        /// <summary>
        /// Splits a flat list of numbers into boxes of four. Throws <see cref="FormatException"/> when the
        /// count is not a multiple of four or the landmark count does not match.
        /// </summary>
        public static List<FaceBox> FromFlatList(IReadOnlyList<double> values, BoxFormat format, IReadOnlyList<float> landmarks = null, float? score = null)
        {
            if (values == null || values.Count == 0) { return new List<FaceBox>(); }
            if (values.Count % 4 != 0)
            {
                throw new FormatException($"A bounding box needs four numbers (x, y, width, height, or x1, y1, x2, y2 with -BoxFormat XYXY); got {values.Count}.");
            }

            var count = values.Count / 4;
            if (landmarks != null && landmarks.Count > 0 && landmarks.Count != count * 10)
            {
                throw new FormatException($"Landmarks need ten numbers (x1, y1, ..., x5, y5) per box; got {landmarks.Count} for {count} box(es).");
            }

            var boxes = new List<FaceBox>(count);
            for (var i = 0; i < count; i++)
            {
                float[] lm = null;
                if (landmarks != null && landmarks.Count > 0)
                {
                    lm = new float[10];
                    for (var k = 0; k < 10; k++) { lm[k] = landmarks[(i * 10) + k]; }
                }

                boxes.Add(FromValues(values[i * 4], values[(i * 4) + 1], values[(i * 4) + 2], values[(i * 4) + 3], format, lm, score));
            }

            return boxes;
        }
    }
}
