using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Onnx
{
    /// <summary>Settings for <see cref="LocalFaceEngine.Open"/>.</summary>
    public sealed class LocalFaceEngineOptions
    {
        /// <summary>The recognition model (required).</summary>
        public string RecognizerPath { get; set; }

        /// <summary>The name results are reported under; default: the recogniser's file name without extension.</summary>
        public string ModelName { get; set; }

        /// <summary>The face detector; default: the module's (see <see cref="DefaultModels"/>).</summary>
        public string DetectorPath { get; set; }

        /// <summary>The landmark model; default: the module's.</summary>
        public string LandmarkPath { get; set; }

        /// <summary>Pixel normalisation of the recogniser's input; default: the InsightFace preset.</summary>
        public PixelNormalization Normalization { get; set; } = PixelNormalization.InsightFace;

        /// <summary>Which face of a crop is embedded; default: the largest near the centre, as InsightFace picks it.</summary>
        public Imaging.FaceSelection Selection { get; set; } = Imaging.FaceSelection.LargestCentered;

        /// <summary>Detector thresholds (re-detection on the crop).</summary>
        public FaceDetectorOptions Detector { get; set; } = new FaceDetectorOptions();

        /// <summary>Most faces per recognition call (models with a free batch dimension).</summary>
        public int MaxBatchSize { get; set; } = 16;

        /// <summary>Images processed at once; default: one per core.</summary>
        public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;
    }

    /// <summary>One crop made ready for the recogniser: the face chosen, its aligned image and the model input.</summary>
    public sealed class PreparedFace
    {
        internal PreparedFace(FaceDetection face, int faceCount, RgbImage alignedFace, float[] input, int imageWidth, int imageHeight)
        {
            Face = face;
            FaceCount = faceCount;
            AlignedFace = alignedFace;
            Input = input;
            ImageWidth = imageWidth;
            ImageHeight = imageHeight;
        }

        /// <summary>The face that was chosen (box, score, landmarks in the crop's upright pixels).</summary>
        public FaceDetection Face { get; }

        /// <summary>How many faces the detector found in the crop.</summary>
        public int FaceCount { get; }

        /// <summary>The face warped onto the ArcFace template at the model's input size.</summary>
        public RgbImage AlignedFace { get; }

        /// <summary>The normalised planar input the recogniser runs on.</summary>
        public float[] Input { get; }

        public int ImageWidth { get; }

        public int ImageHeight { get; }
    }

    /// <summary>
    /// Embeds face crops offline the way the hosted service does: decode (EXIF upright), detect on the
    /// crop, pick one face, align its five landmarks onto the ArcFace template, run the recogniser in
    /// batches, L2-normalise. One session per model for the engine's lifetime; thread-safe.
    /// </summary>
    public sealed class LocalFaceEngine : IFaceCountingEmbedder
    {
        private readonly bool _ownsDetector;
        private readonly bool _ownsRecognizer;
        private readonly Imaging.FaceSelection _selection;
        private readonly int _parallelism;

        /// <summary>Combines an open detector and recogniser; the engine disposes those it is told it owns.</summary>
        public LocalFaceEngine(
            FaceDetector detector,
            FaceRecognizer recognizer,
            string modelName,
            Imaging.FaceSelection selection,
            int maxDegreeOfParallelism,
            bool ownsDetector,
            bool ownsRecognizer)
        {
            Detector = detector ?? throw new ArgumentNullException(nameof(detector));
            Recognizer = recognizer ?? throw new ArgumentNullException(nameof(recognizer));
            ModelName = string.IsNullOrEmpty(modelName) ? Path.GetFileNameWithoutExtension(recognizer.ModelPath) : modelName;
            _selection = selection;
            _parallelism = Math.Max(1, maxDegreeOfParallelism);
            _ownsDetector = ownsDetector;
            _ownsRecognizer = ownsRecognizer;
        }

        public string ModelName { get; }

        public FaceDetector Detector { get; }

        public FaceRecognizer Recognizer { get; }

        /// <summary>Opens the models named in <paramref name="options"/> (the detector defaults to the module's).</summary>
        public static LocalFaceEngine Open(LocalFaceEngineOptions options)
        {
            if (options == null) { throw new ArgumentNullException(nameof(options)); }
            if (string.IsNullOrEmpty(options.RecognizerPath)) { throw new ArgumentException("A recognition model path is required.", nameof(options)); }
            var detectorOptions = options.Detector ?? new FaceDetectorOptions();
            var recognizer = FaceRecognizer.Open(options.RecognizerPath, new FaceRecognizerOptions
            {
                Normalization = options.Normalization ?? PixelNormalization.InsightFace,
                MaxBatchSize = options.MaxBatchSize,
                IntraOpThreads = 1,
            });
            try
            {
                var detector = FaceDetector.Open(DefaultModels.DetectorOr(options.DetectorPath), DefaultModels.LandmarkOr(options.LandmarkPath), detectorOptions);
                return new LocalFaceEngine(detector, recognizer, options.ModelName, options.Selection, options.MaxDegreeOfParallelism, true, true);
            }
            catch
            {
                recognizer.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Decodes one crop, detects, picks one face and aligns it. Null when the crop has no detectable face.
        /// Throws <see cref="InvalidDataException"/> when the bytes are not a readable image.
        /// </summary>
        public PreparedFace Prepare(byte[] encodedImage, CancellationToken cancellationToken = default(CancellationToken))
        {
            var image = RgbImage.Decode(encodedImage);
            return Prepare(image, cancellationToken);
        }

        /// <summary>Detects, picks one face and aligns it; null when there is no face.</summary>
        public PreparedFace Prepare(RgbImage image, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (image == null) { throw new ArgumentNullException(nameof(image)); }
            var boxes = Detector.DetectBoxes(image, cancellationToken);
            var chosen = FaceSelectionRule.PickOne(boxes, _selection, image.Width, image.Height);
            if (chosen < 0) { return null; }
            // Landmarks only for the face that is embedded.
            var face = boxes[chosen].WithLandmarks(Detector.PredictLandmarks(image, boxes[chosen], cancellationToken));
            var aligned = Recognizer.Align(image, face);
            return new PreparedFace(face, boxes.Count, aligned, Recognizer.Preprocess(aligned), image.Width, image.Height);
        }

        /// <inheritdoc />
        public IReadOnlyList<float[]> Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken) =>
            EmbedCrops(images, cancellationToken).Select(c => c.Feature).ToList();

        /// <inheritdoc />
        public IReadOnlyList<EmbeddedCrop> EmbedCrops(IReadOnlyList<byte[]> images, CancellationToken cancellationToken)
        {
            if (images == null) { throw new ArgumentNullException(nameof(images)); }
            var prepared = new PreparedFace[images.Count];
            RunParallel(images.Count, cancellationToken, i =>
            {
                try
                {
                    prepared[i] = Prepare(images[i], cancellationToken);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"Image {i} of the batch is not a readable image: {ex.Message}", ex);
                }
            });
            var features = EmbedPrepared(prepared, cancellationToken);
            var result = new EmbeddedCrop[features.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new EmbeddedCrop(features[i], prepared[i] == null ? 0 : prepared[i].FaceCount);
            }

            return result;
        }

        /// <summary>
        /// Embeddings of prepared faces, in order; an empty vector where an entry is null (no face).
        /// Faces go to the recogniser in batches, batches in parallel.
        /// </summary>
        public IReadOnlyList<float[]> EmbedPrepared(IReadOnlyList<PreparedFace> prepared, CancellationToken cancellationToken)
        {
            if (prepared == null) { throw new ArgumentNullException(nameof(prepared)); }
            var result = new float[prepared.Count][];
            var withFace = Enumerable.Range(0, prepared.Count).Where(i => prepared[i] != null).ToArray();
            foreach (var i in Enumerable.Range(0, prepared.Count).Where(i => prepared[i] == null))
            {
                result[i] = new float[0];
            }

            var batch = Recognizer.MaxBatchSize;
            var batches = (withFace.Length + batch - 1) / batch;
            RunParallel(batches, cancellationToken, b =>
            {
                var members = withFace.Skip(b * batch).Take(batch).ToArray();
                var vectors = Recognizer.EmbedPreprocessed(members.Select(i => prepared[i].Input).ToList(), cancellationToken);
                for (var k = 0; k < members.Length; k++)
                {
                    result[members[k]] = vectors[k];
                }
            });
            return result;
        }

        public void Dispose()
        {
            if (_ownsDetector) { Detector.Dispose(); }
            if (_ownsRecognizer) { Recognizer.Dispose(); }
        }

        private void RunParallel(int count, CancellationToken cancellationToken, Action<int> body)
        {
            if (count == 0) { return; }
            if (count == 1 || _parallelism == 1)
            {
                for (var i = 0; i < count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    body(i);
                }

                return;
            }

            try
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken }, body);
            }
            catch (AggregateException ex)
            {
                // Callers catch the concrete failure (an unreadable image, a model error), not a wrapper.
                var first = ex.Flatten().InnerExceptions.FirstOrDefault(e => !(e is OperationCanceledException)) ?? ex.InnerException;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
                throw;
            }
        }
    }
}
