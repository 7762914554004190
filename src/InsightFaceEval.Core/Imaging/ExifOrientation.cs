namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// EXIF orientation (tag 0x0112, values 1 to 8): how the stored pixels turn into the upright picture
    /// that people and detectors see. Boxes refer to the upright picture; these functions find where an
    /// upright pixel is stored, so a crop can be cut before the picture is turned.
    /// </summary>
    public static class ExifOrientation
    {
        /// <summary>The value, or 1 (as stored) for a missing or invalid one.</summary>
        public static int Normalize(int? orientation) =>
            orientation.HasValue && orientation.Value >= 1 && orientation.Value <= 8 ? orientation.Value : 1;

        /// <summary>True when the upright picture is the stored one turned a quarter (width and height swap).</summary>
        public static bool SwapsAxes(int orientation) => orientation >= 5 && orientation <= 8;

        /// <summary>Upright size from stored size.</summary>
        public static (int Width, int Height) UprightSize(int storedWidth, int storedHeight, int orientation) =>
            SwapsAxes(orientation) ? (storedHeight, storedWidth) : (storedWidth, storedHeight);

        /// <summary>The stored pixel that shows as upright pixel (x, y).</summary>
        public static (int X, int Y) ToStored(int x, int y, int storedWidth, int storedHeight, int orientation)
        {
            switch (orientation)
            {
                case 2: return (storedWidth - 1 - x, y);                        // mirrored left-right
                case 3: return (storedWidth - 1 - x, storedHeight - 1 - y);     // turned 180
                case 4: return (x, storedHeight - 1 - y);                       // mirrored top-bottom
                case 5: return (y, x);                                          // transposed
                case 6: return (y, storedHeight - 1 - x);                       // shown turned 90 clockwise
                case 7: return (storedWidth - 1 - y, storedHeight - 1 - x);     // transversed
                case 8: return (storedWidth - 1 - y, x);                        // shown turned 90 counter-clockwise
                default: return (x, y);
            }
        }

        /// <summary>The stored rectangle holding the upright rectangle's pixels.</summary>
        public static PixelRect ToStored(PixelRect upright, int storedWidth, int storedHeight, int orientation)
        {
            var (ax, ay) = ToStored((int)upright.Left, (int)upright.Top, storedWidth, storedHeight, orientation);
            var (bx, by) = ToStored((int)upright.Right - 1, (int)upright.Bottom - 1, storedWidth, storedHeight, orientation);
            return new PixelRect(System.Math.Min(ax, bx), System.Math.Min(ay, by), System.Math.Max(ax, bx) + 1, System.Math.Max(ay, by) + 1);
        }
    }
}
