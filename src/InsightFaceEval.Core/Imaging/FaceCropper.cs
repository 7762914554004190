using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using InsightFaceEval.Faces;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace InsightFaceEval.Imaging
{
    /// <summary>Why one face (or a whole image) produced no crop.</summary>
    public enum CropProblem
    {
        FileNotFound,
        ReadFailed,
        NotAnImage,
        UnsupportedFormat,
        CorruptImage,
        ImageTooLarge,
        InvalidBox,
        EmptyBox,
        BoxOutsideImage,
        OutputExists,
        MultipleFaces,
        NoFace,
        NotARegularFile,
    }

    /// <summary>Settings shared by every image of one New-FaceCrop call.</summary>
    public sealed class CropOptions
    {
        /// <summary>Folder the crops go under (full path).</summary>
        public string OutputDirectory { get; set; }

        /// <summary>Total margin ratio: 0.2 adds 10% of the box on each side.</summary>
        public double ExpansionFactor { get; set; } = 0.2;

        /// <summary>Longest side of a saved crop; 0 keeps the crop's own size.</summary>
        public int MaxSide { get; set; } = 256;

        /// <summary>Images with more pixels than this are refused before decoding.</summary>
        public long MaxPixels { get; set; } = 100_000_000;

        /// <summary>Turn images upright by their EXIF orientation before cropping.</summary>
        public bool ApplyOrientation { get; set; } = true;

        public FaceSelection Selection { get; set; } = FaceSelection.All;

        /// <summary>
        /// When false, a face whose PNG already exists is cropped and compared with it: the same bytes are
        /// reused (<see cref="CropOutcome.Reused"/>), different bytes are reported (OutputExists) and kept.
        /// </summary>
        public bool Force { get; set; }

        /// <summary>When false the crops are validated and measured but not encoded (for -WhatIf).</summary>
        public bool Encode { get; set; } = true;

        /// <summary>
        /// Decode baseline JPEGs with <see cref="JpegRegionDecoder"/> (only the part the crops need, with
        /// libjpeg's arithmetic); off, every image is decoded whole by ImageSharp.
        /// </summary>
        public bool UseJpegRegionDecoder { get; set; } = true;

        /// <summary>A box with less than this share of its area inside the image gets a warning.</summary>
        public double MostlyOutsideThreshold { get; set; } = 0.5;
    }

    /// <summary>One image and the faces to crop from it.</summary>
    public sealed class CropJob
    {
        public CropJob(string sourcePath, string relativeSource, string identity, IReadOnlyList<FaceDetection> faces)
        {
            SourcePath = sourcePath;
            RelativeSource = relativeSource;
            Identity = identity;
            Faces = faces ?? Array.Empty<FaceDetection>();
        }

        /// <summary>Full path of the image.</summary>
        public string SourcePath { get; }

        /// <summary>The image's path relative to the dataset root, '/'-separated.</summary>
        public string RelativeSource { get; }

        public string Identity { get; }

        public IReadOnlyList<FaceDetection> Faces { get; }

        /// <summary>The FaceIndex of the first face (non-zero when earlier faces of the image were cropped separately).</summary>
        public int FirstFaceIndex { get; set; }

        /// <summary>The identity of each face, in the order of <see cref="Faces"/> (from an identity map), or null: every face has <see cref="Identity"/>.</summary>
        public IReadOnlyList<string> FaceIdentities { get; set; }

        /// <summary>An input problem found before the job ran (for example unreadable landmarks).</summary>
        public string InputError { get; set; }
    }

    /// <summary>One result for one face or image: a crop, a problem or a warning.</summary>
    public sealed class CropOutcome
    {
        private CropOutcome() { }

        /// <summary>The face's index, or null when the outcome is about the whole image.</summary>
        public int? FaceIndex { get; private set; }

        public FaceCrop Crop { get; private set; }

        /// <summary>The encoded PNG (null when not encoded).</summary>
        public byte[] Png { get; private set; }

        public CropProblem? Problem { get; private set; }

        public string Warning { get; private set; }

        public string Message { get; private set; }

        /// <summary>True when the crop's file already held exactly these bytes: nothing is to be written.</summary>
        public bool Reused { get; private set; }

        public static CropOutcome Success(FaceCrop crop, byte[] png) => new CropOutcome { FaceIndex = crop.FaceIndex, Crop = crop, Png = png };

        /// <summary>The file at the crop's path already holds this crop, byte for byte.</summary>
        public static CropOutcome Reuse(FaceCrop crop, byte[] png) => new CropOutcome { FaceIndex = crop.FaceIndex, Crop = crop, Png = png, Reused = true };

        public static CropOutcome Failure(CropProblem problem, string message, int? faceIndex = null) =>
            new CropOutcome { Problem = problem, Message = message, FaceIndex = faceIndex };

        public static CropOutcome Warn(string message, int? faceIndex) => new CropOutcome { Warning = message, Message = message, FaceIndex = faceIndex };
    }

    /// <summary>Everything one image produced, in face order.</summary>
    public sealed class CropJobResult
    {
        public CropJobResult(CropJob job, IReadOnlyList<CropOutcome> outcomes)
        {
            Job = job;
            Outcomes = outcomes;
        }

        public CropJob Job { get; }

        public IReadOnlyList<CropOutcome> Outcomes { get; }
    }

    /// <summary>Where crops are saved.</summary>
    public static class CropNaming
    {
        /// <summary>
        /// The crop's path relative to the output folder: the source's relative folder, then the source
        /// file name without its extension, '_', the face index and '.png' ('alice/img1.jpg', face 0: 'alice/img1_0.png').
        /// </summary>
        public static string RelativeCropPath(string relativeSource, int faceIndex)
        {
            var key = DatasetPaths.NormalizeKey(relativeSource);
            var slash = key.LastIndexOf('/');
            var folder = slash >= 0 ? key.Substring(0, slash + 1) : string.Empty;
            var name = slash >= 0 ? key.Substring(slash + 1) : key;
            var dot = name.LastIndexOf('.');
            var stem = dot > 0 ? name.Substring(0, dot) : name;
            return folder + stem + "_" + faceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".png";
        }

        /// <summary>The full output path for a relative crop path.</summary>
        public static string FullPath(string outputDirectory, string relativeCropPath) =>
            Path.GetFullPath(Path.Combine(outputDirectory, relativeCropPath.Replace('/', Path.DirectorySeparatorChar)));
    }

    /// <summary>Crops the faces of one image: read, check, decode once, cut, turn upright, shrink, encode.</summary>
    public sealed class FaceCropper
    {
        private readonly CropOptions _options;
        private readonly ImageLoader _loader;

        public FaceCropper(CropOptions options, ImageLoader loader = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (string.IsNullOrEmpty(options.OutputDirectory)) { throw new ArgumentException("An output folder is needed.", nameof(options)); }
            _loader = loader ?? new ImageLoader();
        }

        public CropOptions Options => _options;

        private sealed class Plan
        {
            public int Index;
            public FaceDetection Face;
            public PixelRect CropRect;
            public int Width;
            public int Height;
            public double Scale;
            public string Relative;
            public bool Exists;
        }

        /// <summary>Runs one job. Never throws for a problem with the image or its boxes; those become outcomes.</summary>
        public CropJobResult Process(CropJob job, CancellationToken cancellationToken)
        {
            var outcomes = new List<CropOutcome>();
            var result = new CropJobResult(job, outcomes);
            if (job.InputError != null)
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.InvalidBox, job.InputError));
                return result;
            }

            byte[] data;
            ImageHeader header;
            try
            {
                data = ImageLoader.ReadFile(job.SourcePath);
                header = _loader.ReadHeader(data, job.SourcePath, _options.ApplyOrientation);
            }
            catch (ImageLoadException ex)
            {
                outcomes.Add(CropOutcome.Failure(ToCropProblem(ex.Problem), ex.Message));
                return result;
            }

            try
            {
                ImageLoader.CheckPixelCap(header, _options.MaxPixels, job.SourcePath);
            }
            catch (ImageLoadException ex)
            {
                outcomes.Add(CropOutcome.Failure(ToCropProblem(ex.Problem), ex.Message));
                return result;
            }

            if (job.Faces.Count == 0)
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.NoFace, $"No face box was given for '{job.SourcePath}'."));
                return result;
            }

            if (_options.Selection == FaceSelection.RequireOne && job.Faces.Count > 1)
            {
                outcomes.Add(CropOutcome.Failure(
                    CropProblem.MultipleFaces,
                    $"'{job.SourcePath}' has {job.Faces.Count} face boxes; -FaceSelection RequireOne accepts images with exactly one."));
                return result;
            }

            var plans = new List<Plan>();
            foreach (var index in FaceSelectionRule.Apply(job.Faces, _options.Selection, header.Width, header.Height))
            {
                var plan = PlanFace(job, index, header, outcomes);
                if (plan != null) { plans.Add(plan); }
            }

            if (plans.Count == 0) { return result; }
            cancellationToken.ThrowIfCancellationRequested();

            if (_options.UseJpegRegionDecoder && TryCropJpegRegion(job, header, data, plans, outcomes)) { return result; }

            Image<Rgb24> image;
            try
            {
                image = _loader.Decode(data, job.SourcePath, header);
            }
            catch (ImageLoadException ex)
            {
                outcomes.Add(CropOutcome.Failure(ToCropProblem(ex.Problem), ex.Message));
                return result;
            }

            data = null;
            using (image)
            {
                try
                {
                    ImageLoader.CheckDecodedSize(image, header, job.SourcePath);
                }
                catch (ImageLoadException ex)
                {
                    outcomes.Add(CropOutcome.Failure(ToCropProblem(ex.Problem), ex.Message));
                    return result;
                }

                foreach (var plan in plans)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Finish(job, plan, ImageLoader.CopyUpright(image, plan.CropRect, header.Orientation), outcomes);
                }
            }

            return result;
        }

        // Baseline JPEGs: decode only the stored rectangle that holds every planned crop.
        private bool TryCropJpegRegion(CropJob job, ImageHeader header, byte[] data, List<Plan> plans, List<CropOutcome> outcomes)
        {
            if (!string.Equals(header.Format, "JPEG", StringComparison.OrdinalIgnoreCase) || ImageSignatures.IsTruncated(data, header.Format)) { return false; }
            var jpeg = JpegRegionDecoder.TryCreate(data);
            if (jpeg == null || jpeg.Width != header.StoredWidth || jpeg.Height != header.StoredHeight) { return false; }
            long left = long.MaxValue, top = long.MaxValue, right = 0, bottom = 0;
            foreach (var plan in plans)
            {
                var stored = ExifOrientation.ToStored(plan.CropRect, header.StoredWidth, header.StoredHeight, header.Orientation);
                left = Math.Min(left, stored.Left);
                top = Math.Min(top, stored.Top);
                right = Math.Max(right, stored.Right);
                bottom = Math.Max(bottom, stored.Bottom);
            }

            var region = new PixelRect(left, top, right, bottom);
            byte[] rgb;
            try
            {
                if (!jpeg.TryDecode(region, out rgb)) { return false; }
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // Whatever this decoder trips on, ImageSharp decodes (or reports) the image instead.
                return false;
            }

            foreach (var plan in plans)
            {
                Finish(job, plan, ImageLoader.CopyUpright(rgb, region, header.StoredWidth, header.StoredHeight, plan.CropRect, header.Orientation), outcomes);
            }

            return true;
        }

        private void Finish(CropJob job, Plan plan, byte[] crop, List<CropOutcome> outcomes)
        {
            int cw = (int)plan.CropRect.Width, ch = (int)plan.CropRect.Height;
            if (plan.Width != cw || plan.Height != ch)
            {
                crop = AreaResize.Resize(crop, cw, ch, 3, plan.Width, plan.Height);
            }

            // An existing file is compared with the crop this run makes, so it is encoded even under -WhatIf.
            var png = _options.Encode || plan.Exists ? PngWriter.EncodeRgb(crop, plan.Width, plan.Height) : null;
            var fullPath = CropNaming.FullPath(_options.OutputDirectory, plan.Relative);
            if (plan.Exists && !HoldsBytes(fullPath, png))
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.OutputExists, $"'{fullPath}' already exists and is not this crop (another source, box or setting made it); use -Force to overwrite it.", plan.Index));
                return;
            }

            var faceCrop = new FaceCrop(
                fullPath,
                job.SourcePath,
                plan.Relative,
                job.FaceIdentities != null ? job.FaceIdentities[plan.Index - job.FirstFaceIndex] : job.Identity,
                plan.Index,
                plan.Face.ToArray(),
                plan.CropRect.ToXywh(),
                plan.Width,
                plan.Height,
                plan.Scale,
                CropGeometry.MapLandmarks(plan.Face.Landmarks, plan.CropRect, plan.Width, plan.Height),
                plan.Face.Score);
            outcomes.Add(plan.Exists ? CropOutcome.Reuse(faceCrop, png) : CropOutcome.Success(faceCrop, png));
        }

        /// <summary>True when the file at <paramref name="path"/> holds exactly <paramref name="bytes"/>; false when it differs or cannot be read.</summary>
        public static bool HoldsBytes(string path, byte[] bytes)
        {
            if (bytes == null) { return false; }
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.Length != bytes.Length) { return false; }
                var existing = File.ReadAllBytes(path);
                if (existing.Length != bytes.Length) { return false; }
                for (var i = 0; i < existing.Length; i++)
                {
                    if (existing[i] != bytes[i]) { return false; }
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false;
            }
        }

        private Plan PlanFace(CropJob job, int index, ImageHeader header, List<CropOutcome> outcomes)
        {
            var face = job.Faces[index];
            index += job.FirstFaceIndex;
            var described = $"Face {index} of '{job.SourcePath}' {face}";
            if (!CropGeometry.TryRound(face.X, face.Y, face.Width, face.Height, out var box))
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.InvalidBox, $"{described}: every number must be finite and within +/-{CropGeometry.CoordinateLimit:0}.", index));
                return null;
            }

            if (face.Width <= 0 || face.Height <= 0 || box.Width <= 0 || box.Height <= 0)
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.EmptyBox, $"{described}: the box has zero or negative size (after rounding to whole pixels it is {box.Width}x{box.Height})." , index));
                return null;
            }

            if (CropGeometry.IsOutside(box, header.Width, header.Height))
            {
                outcomes.Add(CropOutcome.Failure(CropProblem.BoxOutsideImage, $"{described}: the box lies wholly outside the {header.Width}x{header.Height} image.", index));
                return null;
            }

            var visible = CropGeometry.VisibleFraction(box, header.Width, header.Height);
            if (visible < _options.MostlyOutsideThreshold)
            {
                outcomes.Add(CropOutcome.Warn($"{described}: only {visible:P0} of the box lies inside the {header.Width}x{header.Height} image; the crop is clamped to the image.", index));
            }

            var rect = CropGeometry.Expand(box, header.Width, header.Height, _options.ExpansionFactor);
            var (w, h, scale) = CropGeometry.OutputSize((int)rect.Width, (int)rect.Height, _options.MaxSide);
            var relative = CropNaming.RelativeCropPath(job.RelativeSource, index);
            var exists = !_options.Force && File.Exists(CropNaming.FullPath(_options.OutputDirectory, relative));
            return new Plan { Index = index, Face = face, CropRect = rect, Width = w, Height = h, Scale = scale, Relative = relative, Exists = exists };
        }

        private static CropProblem ToCropProblem(ImageProblem problem)
        {
            switch (problem)
            {
                case ImageProblem.FileNotFound: return CropProblem.FileNotFound;
                case ImageProblem.ReadFailed: return CropProblem.ReadFailed;
                case ImageProblem.UnsupportedFormat: return CropProblem.UnsupportedFormat;
                case ImageProblem.CorruptImage: return CropProblem.CorruptImage;
                case ImageProblem.ImageTooLarge: return CropProblem.ImageTooLarge;
                case ImageProblem.NotARegularFile: return CropProblem.NotARegularFile;
                default: return CropProblem.NotAnImage;
            }
        }
    }
}
