using System;
using System.Globalization;

namespace InsightFaceEval.Faces
{
    /// <summary>Channel order a model expects in its input tensor.</summary>
    public enum ChannelOrder
    {
        Rgb = 0,
        Bgr = 1,
    }

    /// <summary>
    /// How an 8-bit image becomes a model's float input: value = (pixel - Mean) / Std per channel,
    /// planar (NCHW) in <see cref="Order"/>.
    /// </summary>
    public sealed class PixelNormalization
    {
        /// <summary>Name of the InsightFace preset (buffalo_l and the delivered models): RGB, (x - 127.5) / 127.5.</summary>
        public const string InsightFacePreset = "insightface";

        /// <summary>Name of the faceplugin test model's preset, from its fr_feature.js: RGB, (x - 127) / 128.</summary>
        public const string FacePluginPreset = "faceplugin";

        /// <summary>Name of raw pixels (mean 0, std 1), for an ArcFace graph that normalises its input itself.</summary>
        public const string RawPreset = "raw";

        /// <summary>Name given to a normalisation built from an explicit mean and standard deviation.</summary>
        public const string CustomPreset = "custom";

        public PixelNormalization(string name, float mean, float std, ChannelOrder order)
        {
            if (!(std > 0) || float.IsInfinity(std)) { throw new ArgumentOutOfRangeException(nameof(std), "The standard deviation must be a positive number."); }
            if (float.IsNaN(mean) || float.IsInfinity(mean)) { throw new ArgumentOutOfRangeException(nameof(mean), "The mean must be a finite number."); }
            Name = string.IsNullOrEmpty(name) ? CustomPreset : name;
            Mean = mean;
            Std = std;
            Order = order;
        }

        public static PixelNormalization InsightFace { get; } = new PixelNormalization(InsightFacePreset, 127.5f, 127.5f, ChannelOrder.Rgb);

        /// <summary>RGB pixel values as they are (0..255): for a graph that normalises its input itself (MXNet-style ArcFace exports).</summary>
        public static PixelNormalization RawPixels { get; } = new PixelNormalization(RawPreset, 0f, 1f, ChannelOrder.Rgb);

        public static PixelNormalization FacePlugin { get; } = new PixelNormalization(FacePluginPreset, 127f, 128f, ChannelOrder.Rgb);

        /// <summary>The preset names <see cref="FromPreset"/> accepts.</summary>
        public static string[] PresetNames { get; } = { InsightFacePreset, FacePluginPreset };

        public string Name { get; }

        public float Mean { get; }

        public float Std { get; }

        public ChannelOrder Order { get; }

        /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
        public static PixelNormalization FromPreset(string name)
        {
            if (string.Equals(name, InsightFacePreset, StringComparison.OrdinalIgnoreCase)) { return InsightFace; }
            if (string.Equals(name, FacePluginPreset, StringComparison.OrdinalIgnoreCase)) { return FacePlugin; }
            throw new ArgumentException($"Unknown preprocessing preset '{name}'. Known presets: {string.Join(", ", PresetNames)}.", nameof(name));
        }

        /// <summary>
        /// Writes <paramref name="image"/> as planar floats into <paramref name="destination"/> at
        /// <paramref name="offset"/> (3 x Height x Width values).
        /// </summary>
        public void WritePlanar(RgbImage image, float[] destination, int offset)
        {
            var plane = image.Width * image.Height;
            if (destination.Length - offset < plane * 3) { throw new ArgumentException("The destination is too small.", nameof(destination)); }
            var pixels = image.Pixels;
            var inv = 1f / Std;
            var first = Order == ChannelOrder.Rgb ? 0 : 2;
            var last = 2 - first;
            for (var i = 0; i < plane; i++)
            {
                var p = i * 3;
                destination[offset + i] = (pixels[p + first] - Mean) * inv;
                destination[offset + plane + i] = (pixels[p + 1] - Mean) * inv;
                destination[offset + (2 * plane) + i] = (pixels[p + last] - Mean) * inv;
            }
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0}: {1}, (x - {2}) / {3}", Name, Order.ToString().ToUpperInvariant(), Mean, Std);
    }
}
