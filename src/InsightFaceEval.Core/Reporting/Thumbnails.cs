using System;
using System.Collections.Generic;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace InsightFaceEval.Reporting
{
    /// <summary>
    /// Small face thumbnails embedded in a report as data URIs. Downscaled and re-encoded without any
    /// metadata, so no EXIF or GPS block from a source photo reaches the report.
    /// </summary>
    public sealed class Thumbnails
    {
        private readonly Dictionary<string, string> cache = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly List<string> problems = new List<string>();

        public Thumbnails(int maxSide = 112)
        {
            if (maxSide < 16 || maxSide > 512) { throw new ArgumentOutOfRangeException(nameof(maxSide), "Thumbnails are 16 to 512 pixels."); }
            MaxSide = maxSide;
        }

        public int MaxSide { get; }

        private const long MaxImageFileBytes = 256L * 1024 * 1024;
        private const long MaxImagePixels = 100_000_000;

        /// <summary>Images that could not be made into thumbnails, with the reason (for the caller to warn about).</summary>
        public IReadOnlyList<string> Problems => problems;

        /// <summary>A data URI for the image, or null when it cannot be read.</summary>
        public string DataUri(string path)
        {
            if (string.IsNullOrEmpty(path)) { return null; }
            if (cache.TryGetValue(path, out var uri)) { return uri; }
            try
            {
                // A report reads whatever paths its input names: regular files only, bounded, and never a decode bomb.
                var data = InsightFaceEval.IO.RegularFile.ReadAllBytes(path, MaxImageFileBytes, "a thumbnail source image");
                var info = Image.Identify(data);
                if (info != null && (long)info.Width * info.Height > MaxImagePixels)
                {
                    throw new NotSupportedException($"{info.Width}x{info.Height} pixels is above the {MaxImagePixels:N0} read for a thumbnail.");
                }

                using (var image = Image.Load<Rgb24>(data))
                using (var buffer = new MemoryStream())
                {
                    image.Metadata.ExifProfile = null;
                    image.Metadata.IptcProfile = null;
                    image.Metadata.XmpProfile = null;
                    image.Metadata.IccProfile = null;
                    if (Math.Max(image.Width, image.Height) > MaxSide)
                    {
                        image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(MaxSide, MaxSide), Mode = ResizeMode.Max, Sampler = KnownResamplers.Box }));
                    }

                    image.SaveAsJpeg(buffer, new JpegEncoder { Quality = 85 });
                    uri = "data:image/jpeg;base64," + Convert.ToBase64String(buffer.ToArray());
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is UnknownImageFormatException || ex is InvalidImageContentException || ex is NotSupportedException)
            {
                problems.Add($"{path}: {ex.Message}");
                uri = null;
            }

            cache[path] = uri;
            return uri;
        }
    }
}
