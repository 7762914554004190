using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// A model that sees every image only after a lossy JPEG re-encode at a fixed quality: what a service (or a
    /// careless pipeline step) that recompresses uploads does to accuracy. The local endpoint serves it under its own
    /// model name beside the lossless one, so a rehearsal shows the effect the protocol warns about, with real
    /// numbers, and a nightly test can put a degraded model behind a name it already knows.
    /// </summary>
    public sealed class JpegReencodingEmbedder : IFaceEmbedder
    {
        private readonly IFaceEmbedder _inner;
        private readonly bool _ownsInner;

        public JpegReencodingEmbedder(IFaceEmbedder inner, int quality, string modelName = null, bool ownsInner = true)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            if (quality < 1 || quality > 100) { throw new ArgumentOutOfRangeException(nameof(quality), "JPEG quality is 1 to 100."); }
            Quality = quality;
            ModelName = string.IsNullOrEmpty(modelName) ? inner.ModelName : modelName;
            _ownsInner = ownsInner;
        }

        public string ModelName { get; }

        /// <summary>The JPEG quality every image is re-encoded at before the inner model sees it.</summary>
        public int Quality { get; }

        public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
        {
            var degraded = new byte[images.Count][];
            for (var i = 0; i < images.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                degraded[i] = Reencode(images[i], Quality);
            }

            return _inner.Embed(degraded, cancellationToken);
        }

        /// <summary>
        /// The image decoded and encoded again as a baseline JPEG at <paramref name="quality"/>, 4:2:0 subsampled.
        /// Throws <see cref="InvalidDataException"/> when the bytes are not a readable image, as the engines do.
        /// </summary>
        public static byte[] Reencode(byte[] image, int quality)
        {
            Image<Rgb24> decoded;
            try
            {
                decoded = Image.Load<Rgb24>(image);
            }
            catch (Exception ex) when (ex is ImageFormatException || ex is NotSupportedException)
            {
                throw new InvalidDataException("The image data is damaged or unsupported: " + ex.Message, ex);
            }

            using (decoded)
            using (var buffer = new MemoryStream())
            {
                decoded.SaveAsJpeg(buffer, new JpegEncoder { Quality = quality, ColorType = JpegColorType.YCbCrRatio420 });
                return buffer.ToArray();
            }
        }

        public void Dispose()
        {
            if (_ownsInner) { _inner.Dispose(); }
        }
    }
}
