using System;
using System.Runtime.CompilerServices;
using System.IO;
using System.Runtime.InteropServices;
using InsightFaceEval.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace InsightFaceEval.Imaging
{
    /// <summary>Why an image could not be used.</summary>
    public enum ImageProblem
    {
        None = 0,
        FileNotFound,
        ReadFailed,
        NotAnImage,
        UnsupportedFormat,
        CorruptImage,
        ImageTooLarge,
        NotARegularFile,
    }

    /// <summary>An image problem with a message for the user.</summary>
    public sealed class ImageLoadException : Exception
    {
        public ImageLoadException(ImageProblem problem, string message, Exception inner = null)
            : base(message, inner)
        {
            Problem = problem;
        }

        public ImageProblem Problem { get; }
    }

    /// <summary>What the header says, read before any pixel is decoded.</summary>
    public sealed class ImageHeader
    {
        internal ImageHeader(string format, int storedWidth, int storedHeight, int orientation)
        {
            Format = format;
            StoredWidth = storedWidth;
            StoredHeight = storedHeight;
            Orientation = orientation;
            (Width, Height) = ExifOrientation.UprightSize(storedWidth, storedHeight, orientation);
        }

        public string Format { get; }

        public int StoredWidth { get; }

        public int StoredHeight { get; }

        /// <summary>The EXIF orientation that applies (1 when ignored or absent).</summary>
        public int Orientation { get; }

        /// <summary>Upright width (what boxes refer to).</summary>
        public int Width { get; }

        /// <summary>Upright height.</summary>
        public int Height { get; }

        public long PixelCount => (long)StoredWidth * StoredHeight;
    }

    /// <summary>
    /// Reads image files with ImageSharp: the header first (size, orientation) so the pixel cap is checked
    /// before anything is decoded, then the pixels as 8-bit RGB.
    /// </summary>
    public sealed class ImageLoader
    {
        private readonly Configuration _configuration;

        public ImageLoader(int poolSizeMegabytes = 64)
        {
            // A private configuration: one thread per image (the caller runs images in parallel) and a
            // bounded buffer pool, so memory stays flat over thousands of photos.
            _configuration = Configuration.Default.Clone();
            _configuration.MaxDegreeOfParallelism = 1;
            _configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = poolSizeMegabytes });
        }

        /// <summary>The largest image file read (1 GiB): a bound, so a never-ending file cannot exhaust memory.</summary>
        public const long MaxFileBytes = 1L << 30;

        /// <summary>The default pixel cap (-MaxPixels) of New-FaceCrop and Find-Face.</summary>
        public const long DefaultMaxPixels = 100_000_000;

        /// <summary>
        /// Reads a whole file, mapping I/O failures to image problems. Only a regular file (after following links)
        /// of at most <see cref="MaxFileBytes"/> is read: a FIFO would block forever, a device would never end.
        /// </summary>
        public static byte[] ReadFile(string path)
        {
            try
            {
                return RegularFile.ReadAllBytes(path, MaxFileBytes, "an image");
            }
            catch (NotARegularFileException ex)
            {
                throw new ImageLoadException(ImageProblem.NotARegularFile, ex.Message, ex);
            }
            catch (FileTooLargeException ex)
            {
                throw new ImageLoadException(ImageProblem.ImageTooLarge, ex.Message, ex);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                throw new ImageLoadException(ImageProblem.FileNotFound, $"Cannot find the file '{path}' because it does not exist.", ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ImageLoadException(ImageProblem.ReadFailed, $"Cannot read '{path}': {ex.Message}", ex);
            }
        }

        /// <summary>Identifies the image from its header. Throws <see cref="ImageLoadException"/>.</summary>
        public ImageHeader ReadHeader(byte[] data, string path, bool applyOrientation)
        {
            if (data.Length == 0) { throw new ImageLoadException(ImageProblem.NotAnImage, $"'{path}' is empty."); }
            IImageInfo info;
            SixLabors.ImageSharp.Formats.IImageFormat format;
            try
            {
                info = Image.Identify(_configuration, data, out format);
            }
            catch (Exception ex) when (IsDecodeFailure(ex))
            {
                throw Classify(ex, path);
            }

            if (info == null || format == null)
            {
                var other = ImageSignatures.DescribeUnsupported(data);
                throw other != null
                    ? new ImageLoadException(ImageProblem.UnsupportedFormat, $"'{path}' is a {other} image, which New-FaceCrop cannot read (supported: JPEG, PNG, BMP, GIF, TIFF, WebP, TGA, PBM).")
                    : new ImageLoadException(ImageProblem.NotAnImage, $"'{path}' is not an image in a format New-FaceCrop knows.");
            }

            if (info.Width < 1 || info.Height < 1)
            {
                throw new ImageLoadException(ImageProblem.CorruptImage, $"'{path}' declares an empty image ({info.Width}x{info.Height}).");
            }

            var orientation = 1;
            if (applyOrientation)
            {
                var value = info.Metadata?.ExifProfile?.GetValue(ExifTag.Orientation);
                orientation = ExifOrientation.Normalize(value?.Value);
            }

            return new ImageHeader(format.Name, info.Width, info.Height, orientation);
        }

        /// <summary>
        /// The pixel cap, checked on the header before anything is decoded: one rule for every cmdlet that decodes
        /// a user's image (a 100 KB PNG can declare 30000x30000 pixels).
        /// </summary>
        public static void CheckPixelCap(ImageHeader header, long maxPixels, string path)
        {
            if (header.PixelCount > maxPixels)
            {
                throw new ImageLoadException(ImageProblem.ImageTooLarge,
                    $"'{path}' has {header.StoredWidth}x{header.StoredHeight} = {header.PixelCount:N0} pixels, above the cap of {maxPixels:N0} (-MaxPixels); it was not decoded.");
            }
        }

        /// <summary>A decoder that returns fewer pixels than the header declared read a damaged file.</summary>
        public static void CheckDecodedSize(Image<Rgb24> image, ImageHeader header, string path)
        {
            if (image.Width != header.StoredWidth || image.Height != header.StoredHeight)
            {
                throw new ImageLoadException(ImageProblem.CorruptImage,
                    $"'{path}' decodes to {image.Width}x{image.Height}, not the {header.StoredWidth}x{header.StoredHeight} its header declares.");
            }
        }

        /// <summary>
        /// Reads a whole image the checked way: regular file, header, pixel cap, truncation, decode, decoded size.
        /// Throws <see cref="ImageLoadException"/>; the caller disposes the image.
        /// </summary>
        public Image<Rgb24> LoadChecked(string path, long maxPixels, bool applyOrientation, out ImageHeader header)
        {
            var data = ReadFile(path);
            header = ReadHeader(data, path, applyOrientation);
            CheckPixelCap(header, maxPixels, path);
            var image = Decode(data, path, header);
            try
            {
                CheckDecodedSize(image, header, path);
                return image;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }

        /// <summary>Decodes the pixels. Throws <see cref="ImageLoadException"/> for corrupt or truncated data.</summary>
        public Image<Rgb24> Decode(byte[] data, string path, ImageHeader header)
        {
            if (ImageSignatures.IsTruncated(data, header.Format))
            {
                throw new ImageLoadException(ImageProblem.CorruptImage, $"'{path}' is truncated: the {header.Format} data ends before the image does.");
            }

            try
            {
                return Image.Load<Rgb24>(_configuration, data);
            }
            catch (Exception ex) when (IsDecodeFailure(ex))
            {
                throw Classify(ex, path);
            }
        }

        /// <summary>
        /// Copies the upright rectangle <paramref name="upright"/> out of the stored pixels, turning it as the
        /// EXIF orientation says. Returns packed RGB rows.
        /// </summary>
        public static byte[] CopyUpright(Image<Rgb24> image, PixelRect upright, int orientation)
        {
            var stored = ExifOrientation.ToStored(upright, image.Width, image.Height, orientation);
            var sw = (int)stored.Width;
            var sh = (int)stored.Height;
            var rect = new byte[sw * sh * 3];
            for (var y = 0; y < sh; y++)
            {
                var row = image.DangerousGetPixelRowMemory((int)stored.Top + y).Span.Slice((int)stored.Left, sw);
                MemoryMarshal.AsBytes(row).CopyTo(new Span<byte>(rect, y * sw * 3, sw * 3));
            }

            return Orient(rect, stored, upright, image.Width, image.Height, orientation);
        }

        /// <summary>
        /// The same as <see cref="CopyUpright(Image{Rgb24}, PixelRect, int)"/> for stored pixels already cut to
        /// <paramref name="region"/> (packed RGB rows), which must hold the upright rectangle's pixels.
        /// </summary>
        public static byte[] CopyUpright(byte[] regionRgb, PixelRect region, int storedWidth, int storedHeight, PixelRect upright, int orientation)
        {
            var stored = ExifOrientation.ToStored(upright, storedWidth, storedHeight, orientation);
            var sw = (int)stored.Width;
            var sh = (int)stored.Height;
            var rw = (int)region.Width;
            var rect = new byte[sw * sh * 3];
            for (var y = 0; y < sh; y++)
            {
                Buffer.BlockCopy(regionRgb, ((((int)(stored.Top - region.Top) + y) * rw) + (int)(stored.Left - region.Left)) * 3, rect, y * sw * 3, sw * 3);
            }

            return Orient(rect, stored, upright, storedWidth, storedHeight, orientation);
        }

        [MethodImpl((MethodImplOptions)512)] // AggressiveOptimization: no slow tier-0 code for the first images
        private static byte[] Orient(byte[] rect, PixelRect stored, PixelRect upright, int storedWidth, int storedHeight, int orientation)
        {
            if (orientation == 1) { return rect; }
            var sw = (int)stored.Width;
            var w = (int)upright.Width;
            var h = (int)upright.Height;
            var result = new byte[w * h * 3];
            var o = 0;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var (sx, sy) = ExifOrientation.ToStored((int)upright.Left + x, (int)upright.Top + y, storedWidth, storedHeight, orientation);
                    var s = ((((int)(sy - stored.Top)) * sw) + (int)(sx - stored.Left)) * 3;
                    result[o++] = rect[s];
                    result[o++] = rect[s + 1];
                    result[o++] = rect[s + 2];
                }
            }

            return result;
        }

        private static bool IsDecodeFailure(Exception ex) =>
            ex is ImageFormatException || ex is NotSupportedException || ex is EndOfStreamException ||
            ex is InvalidDataException || ex is IndexOutOfRangeException || ex is ArgumentException || ex is OverflowException ||
            ex is InvalidOperationException || ex is InvalidMemoryOperationException ||
            // Some mutated JPEGs make ImageSharp's Identify dereference a missing table: a damaged file, not a bug here.
            ex is NullReferenceException;

        private static ImageLoadException Classify(Exception ex, string path)
        {
            switch (ex)
            {
                case UnknownImageFormatException _:
                    return new ImageLoadException(ImageProblem.NotAnImage, $"'{path}' is not an image in a format New-FaceCrop knows.", ex);
                case NotSupportedException _:
                    return new ImageLoadException(ImageProblem.UnsupportedFormat, $"'{path}' uses an image feature New-FaceCrop cannot read: {ex.Message}", ex);
                case InvalidMemoryOperationException _:
                    return new ImageLoadException(ImageProblem.ImageTooLarge, $"'{path}' is too large to decode: {ex.Message}", ex);
                default:
                    return new ImageLoadException(ImageProblem.CorruptImage, $"'{path}' is corrupt or truncated: {ex.Message}", ex);
            }
        }
    }
}
