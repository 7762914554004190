using System;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using InsightFaceEval.IO;

namespace InsightFaceEval.Faces
{
    /// <summary>
    /// A decoded, upright 8-bit RGB image (interleaved, row-major). The face engine samples it
    /// directly, so it is a plain array rather than an ImageSharp image.
    /// </summary>
    public sealed class RgbImage
    {
        private readonly byte[] _pixels;

        public RgbImage(int width, int height, byte[] pixels)
        {
            if (width <= 0) { throw new ArgumentOutOfRangeException(nameof(width)); }
            if (height <= 0) { throw new ArgumentOutOfRangeException(nameof(height)); }
            if (pixels == null) { throw new ArgumentNullException(nameof(pixels)); }
            if (pixels.Length != checked(width * height * 3))
            {
                throw new ArgumentException($"Expected {width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}.", nameof(pixels));
            }

            Width = width;
            Height = height;
            _pixels = pixels;
        }

        public int Width { get; }

        public int Height { get; }

        /// <summary>The RGB bytes (R, G, B per pixel, rows top to bottom). Not copied: treat as read-only.</summary>
        internal byte[] Pixels => _pixels;

        /// <summary>
        /// Decodes an encoded image (PNG, JPEG, BMP, GIF, TGA, WebP as ImageSharp reads them) and turns
        /// it upright by its EXIF orientation, so coordinates match what a viewer shows.
        /// Throws <see cref="InvalidDataException"/> when the bytes are not a readable image.
        /// </summary>
        public static RgbImage Decode(byte[] encoded)
        {
            if (encoded == null) { throw new ArgumentNullException(nameof(encoded)); }
            Image<Rgb24> image;
            try
            {
                image = Image.Load<Rgb24>(encoded);
            }
            catch (UnknownImageFormatException ex)
            {
                throw new InvalidDataException("The data is not in an image format this module reads (PNG, JPEG, BMP, GIF, TIFF, TGA, WebP, PBM).", ex);
            }
            catch (Exception ex) when (ex is InvalidImageContentException || ex is NotSupportedException || ex is ImageFormatException)
            {
                throw new InvalidDataException("The image data is damaged or unsupported: " + ex.Message, ex);
            }

            using (image)
            {
                // A camera stores portrait shots sideways plus an orientation tag; the server decodes them upright.
                image.Mutate(x => x.AutoOrient());
                return FromImage(image);
            }
        }

        /// <summary>
        /// Reads a user's image file the way New-FaceCrop does (regular file, header-first pixel cap, truncation and
        /// decoded-size checks; <see cref="InsightFaceEval.Imaging.ImageLoader.LoadChecked"/>) and turns it upright.
        /// Throws <see cref="InsightFaceEval.Imaging.ImageLoadException"/>.
        /// </summary>
        public static RgbImage LoadChecked(string path, InsightFaceEval.Imaging.ImageLoader loader, long maxPixels)
        {
            if (loader == null) { throw new ArgumentNullException(nameof(loader)); }
            using (var image = loader.LoadChecked(path, maxPixels, true, out _))
            {
                image.Mutate(x => x.AutoOrient());
                return FromImage(image);
            }
        }

        /// <summary>Reads and decodes a file (see <see cref="Decode"/>).</summary>
        public static RgbImage Load(string path) => Decode(SharedFile.ReadAllBytes(path));

        internal static RgbImage FromImage(Image<Rgb24> image)
        {
            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }

        /// <summary>
        /// Scales the whole image to fit inside <paramref name="width"/> x <paramref name="height"/>
        /// keeping its aspect ratio (ImageSharp's antialiased bicubic resampler).
        /// Returns the scaled image and the factor (scaled = original * factor).
        /// </summary>
        public RgbImage ResizeToFit(int width, int height, out float factor)
        {
            factor = Math.Min(width / (float)Width, height / (float)Height);
            var w = Math.Max(1, Math.Min(width, (int)Math.Round(Width * factor)));
            var h = Math.Max(1, Math.Min(height, (int)Math.Round(Height * factor)));
            if (w == Width && h == Height)
            {
                return this;
            }

            using (var image = Image.LoadPixelData<Rgb24>(_pixels, Width, Height))
            {
                // Bilinear (triangle) rather than the default bicubic: as good for a detector, and cheaper.
                image.Mutate(x => x.Resize(w, h, KnownResamplers.Triangle));
                return FromImage(image);
            }
        }

        /// <summary>
        /// The image resized to exactly <paramref name="width"/> x <paramref name="height"/> as OpenCV's resize with
        /// INTER_LINEAR does it (InsightFace's detector letterbox): pixel centres at half-pixel offsets, edge pixels
        /// repeated, two taps per axis (no antialiasing), rounded to the nearest value.
        /// </summary>
        public RgbImage ResizeBilinear(int width, int height)
        {
            if (width <= 0) { throw new ArgumentOutOfRangeException(nameof(width)); }
            if (height <= 0) { throw new ArgumentOutOfRangeException(nameof(height)); }
            if (width == Width && height == Height) { return this; }
            var sx = (double)Width / width;
            var sy = (double)Height / height;
            var x0 = new int[width];
            var x1 = new int[width];
            var fx = new float[width];
            for (var x = 0; x < width; x++)
            {
                Tap((x + 0.5) * sx - 0.5, Width, out x0[x], out x1[x], out fx[x]);
            }

            var pixels = new byte[width * height * 3];
            for (var y = 0; y < height; y++)
            {
                Tap((y + 0.5) * sy - 0.5, Height, out var y0, out var y1, out var fy);
                var top = y0 * Width * 3;
                var bottom = y1 * Width * 3;
                var o = y * width * 3;
                for (var x = 0; x < width; x++)
                {
                    var a = x0[x] * 3;
                    var b = x1[x] * 3;
                    for (var c = 0; c < 3; c++)
                    {
                        var t = _pixels[top + a + c] + ((_pixels[top + b + c] - _pixels[top + a + c]) * fx[x]);
                        var u = _pixels[bottom + a + c] + ((_pixels[bottom + b + c] - _pixels[bottom + a + c]) * fx[x]);
                        var v = t + ((u - t) * fy);
                        pixels[o + (x * 3) + c] = (byte)Math.Min(255, Math.Max(0, (int)(v + 0.5f)));
                    }
                }
            }

            return new RgbImage(width, height, pixels);
        }

        private static void Tap(double source, int size, out int first, out int second, out float weight)
        {
            if (source < 0) { source = 0; }
            first = (int)Math.Floor(source);
            if (first >= size - 1)
            {
                first = second = size - 1;
                weight = 0f;
                return;
            }

            second = first + 1;
            weight = (float)(source - first);
        }

        /// <summary>Encodes the image as PNG (lossless), e.g. to look at an aligned face.</summary>
        public byte[] EncodePng()
        {
            using (var image = Image.LoadPixelData<Rgb24>(_pixels, Width, Height))
            using (var stream = new MemoryStream())
            {
                image.SaveAsPng(stream);
                return stream.ToArray();
            }
        }

        /// <summary>
        /// Bilinear sample of channel <paramref name="channel"/> at (x, y) in pixel-centre coordinates
        /// (pixel i covers [i, i+1), its centre is i + 0.5 in continuous coordinates, i here). Outside
        /// the image the value is 0, as OpenCV's warpAffine fills with a constant 0 border.
        /// </summary>
        internal float SampleBilinear(float x, float y, int channel)
        {
            var x0 = (int)Math.Floor(x);
            var y0 = (int)Math.Floor(y);
            var fx = x - x0;
            var fy = y - y0;
            var p00 = Pixel(x0, y0, channel);
            var p10 = Pixel(x0 + 1, y0, channel);
            var p01 = Pixel(x0, y0 + 1, channel);
            var p11 = Pixel(x0 + 1, y0 + 1, channel);
            var top = p00 + ((p10 - p00) * fx);
            var bottom = p01 + ((p11 - p01) * fx);
            return top + ((bottom - top) * fy);
        }

        /// <summary>Bilinear sample of the luminance (0.299 R + 0.587 G + 0.114 B) at (x, y); 0 outside.</summary>
        internal float SampleBilinearGray(float x, float y)
        {
            var x0 = (int)Math.Floor(x);
            var y0 = (int)Math.Floor(y);
            var fx = x - x0;
            var fy = y - y0;
            var top = Gray(x0, y0) + ((Gray(x0 + 1, y0) - Gray(x0, y0)) * fx);
            var bottom = Gray(x0, y0 + 1) + ((Gray(x0 + 1, y0 + 1) - Gray(x0, y0 + 1)) * fx);
            return top + ((bottom - top) * fy);
        }

        private float Gray(int x, int y)
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) { return 0f; }
            var p = ((y * Width) + x) * 3;
            return (0.299f * _pixels[p]) + (0.587f * _pixels[p + 1]) + (0.114f * _pixels[p + 2]);
        }

        private float Pixel(int x, int y, int channel)
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) { return 0f; }
            return _pixels[(((y * Width) + x) * 3) + channel];
        }
    }
}
