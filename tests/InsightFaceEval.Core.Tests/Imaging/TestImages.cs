using System;
using System.Collections.Generic;
using System.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace InsightFaceEval.Tests.Imaging
{
    /// <summary>Images made for tests, in a temporary folder removed on dispose.</summary>
    internal sealed class TestImages : IDisposable
    {
        public TestImages()
        {
            Root = Path.Combine(Path.GetTempPath(), "ife-crop-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string PathOf(string relative)
        {
            var full = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full));
            return full;
        }

        public static Image<Rgb24> Noise(int width, int height, int seed)
        {
            var random = new Random(seed);
            var image = new Image<Rgb24>(width, height);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }

            return image;
        }

        public string SavePng(string relative, Image<Rgb24> image)
        {
            var path = PathOf(relative);
            image.Save(path, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
            return path;
        }

        public string SaveJpeg(string relative, Image<Rgb24> image, int? orientation = null, bool withGps = false)
        {
            var path = PathOf(relative);
            using (var copy = image.Clone())
            {
                if (orientation.HasValue || withGps)
                {
                    var exif = new ExifProfile();
                    if (orientation.HasValue) { exif.SetValue(ExifTag.Orientation, (ushort)orientation.Value); }
                    if (withGps)
                    {
                        exif.SetValue(ExifTag.Make, "TestCam");
                        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
                        exif.SetValue(ExifTag.GPSLatitude, new[] { new Rational(52, 1), new Rational(31, 1), new Rational(0, 1) });
                    }

                    copy.Metadata.ExifProfile = exif;
                }

                copy.Save(path, new JpegEncoder { Quality = 95 });
            }

            return path;
        }

        public static List<string> PngChunks(byte[] png)
        {
            var chunks = new List<string>();
            var i = 8;
            while (i + 8 <= png.Length)
            {
                var length = (png[i] << 24) | (png[i + 1] << 16) | (png[i + 2] << 8) | png[i + 3];
                chunks.Add(System.Text.Encoding.ASCII.GetString(png, i + 4, 4));
                i += 12 + length;
            }

            return chunks;
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, true); }
            catch (IOException) { }
        }
    }
}
