using System;

namespace InsightFaceEval.Imaging
{
    /// <summary>A rectangle of whole pixels: [Left, Right) x [Top, Bottom).</summary>
    public readonly struct PixelRect : IEquatable<PixelRect>
    {
        public PixelRect(long left, long top, long right, long bottom)
        {
            Left = left;
            Top = top;
            Right = right;
            Bottom = bottom;
        }

        public long Left { get; }

        public long Top { get; }

        public long Right { get; }

        public long Bottom { get; }

        public long Width => Right - Left;

        public long Height => Bottom - Top;

        /// <summary>x, y, width, height.</summary>
        public int[] ToXywh() => new[] { (int)Left, (int)Top, (int)Width, (int)Height };

        public bool Equals(PixelRect other) => Left == other.Left && Top == other.Top && Right == other.Right && Bottom == other.Bottom;

        public override bool Equals(object obj) => obj is PixelRect r && Equals(r);

        public override int GetHashCode() => (Left, Top, Right, Bottom).GetHashCode();

        public override string ToString() => $"[{Left}, {Top}, {Right}, {Bottom})";
    }

    /// <summary>
    /// The vendor helper's crop geometry (seed_crop.py, crop_face_with_expansion), reproduced operation
    /// for operation in IEEE doubles so that the same box always gives the same crop box and output size.
    /// </summary>
    public static class CropGeometry
    {
        /// <summary>Coordinates beyond this are refused: no image is this large and the arithmetic stays exact.</summary>
        public const double CoordinateLimit = 1 << 30;

        /// <summary>
        /// Rounds a fractional box to whole pixels, edge by edge: left = round(x), top = round(y),
        /// right = round(x + width), bottom = round(y + height), halves away from zero. Whole-number
        /// boxes are unchanged. False when a number is not finite or is beyond <see cref="CoordinateLimit"/>.
        /// </summary>
        public static bool TryRound(double x, double y, double width, double height, out PixelRect box)
        {
            box = default;
            foreach (var v in new[] { x, y, width, height, x + width, y + height })
            {
                if (double.IsNaN(v) || double.IsInfinity(v) || Math.Abs(v) > CoordinateLimit) { return false; }
            }

            box = new PixelRect(Round(x), Round(y), Round(x + width), Round(y + height));
            return true;
        }

        private static long Round(double v) => (long)Math.Round(v, MidpointRounding.AwayFromZero);

        /// <summary>
        /// The helper's steps 1 and 2: margin dw = int(w * e / 2), dh = int(h * e / 2) (truncated toward zero),
        /// then the expanded box clamped to the image: [max(0, x - dw), min(W, x + w + dw)) and likewise for y.
        /// </summary>
        public static PixelRect Expand(PixelRect box, int imageWidth, int imageHeight, double expansionFactor)
        {
            long x = box.Left, y = box.Top, w = box.Width, h = box.Height;

            // Python: int(w * expansion_factor / 2) with w an int: the product is a double, the int() truncates.
            var dw = (long)(w * expansionFactor / 2);
            var dh = (long)(h * expansionFactor / 2);
            var x1 = Math.Max(0, x - dw);
            var y1 = Math.Max(0, y - dh);
            var x2 = Math.Min(imageWidth, x + w + dw);
            var y2 = Math.Min(imageHeight, y + h + dh);
            return new PixelRect(x1, y1, x2, y2);
        }

        /// <summary>
        /// The helper's step 3: when the longest side exceeds <paramref name="maxSide"/> (and maxSide is
        /// above 0), scale = maxSide / longest and each side becomes int(side * scale). A side the helper
        /// would make 0 (cv2.resize then fails) is kept at 1 pixel.
        /// </summary>
        public static (int Width, int Height, double Scale) OutputSize(int cropWidth, int cropHeight, int maxSide)
        {
            var longest = Math.Max(cropWidth, cropHeight);
            if (maxSide <= 0 || longest <= maxSide) { return (cropWidth, cropHeight, 1.0); }
            var scale = (double)maxSide / longest;
            var w = (int)(cropWidth * scale);
            var h = (int)(cropHeight * scale);
            return (Math.Max(1, w), Math.Max(1, h), scale);
        }

        /// <summary>True when the box and the image share no pixel.</summary>
        public static bool IsOutside(PixelRect box, int imageWidth, int imageHeight) =>
            box.Right <= 0 || box.Bottom <= 0 || box.Left >= imageWidth || box.Top >= imageHeight;

        /// <summary>The share of the box's area that lies inside the image (0 to 1).</summary>
        public static double VisibleFraction(PixelRect box, int imageWidth, int imageHeight)
        {
            var area = (double)box.Width * box.Height;
            if (area <= 0) { return 0; }
            var w = Math.Max(0, Math.Min(imageWidth, box.Right) - Math.Max(0, box.Left));
            var h = Math.Max(0, Math.Min(imageHeight, box.Bottom) - Math.Max(0, box.Top));
            return w * (double)h / area;
        }

        /// <summary>
        /// Landmarks from upright-image pixels to the saved crop's pixels: subtract the crop's corner, then
        /// multiply by the exact per-axis resize ratios (output width / crop width, output height / crop height).
        /// </summary>
        public static float[] MapLandmarks(float[] landmarks, PixelRect crop, int outputWidth, int outputHeight)
        {
            if (landmarks == null) { return null; }
            var sx = (double)outputWidth / crop.Width;
            var sy = (double)outputHeight / crop.Height;
            var mapped = new float[landmarks.Length];
            for (var i = 0; i + 1 < landmarks.Length; i += 2)
            {
                mapped[i] = (float)((landmarks[i] - crop.Left) * sx);
                mapped[i + 1] = (float)((landmarks[i + 1] - crop.Top) * sy);
            }

            return mapped;
        }
    }
}
