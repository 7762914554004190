using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Onnx
{
    /// <summary>Settings for <see cref="FaceRecognizer"/>.</summary>
    public sealed class FaceRecognizerOptions
    {
        /// <summary>
        /// How aligned pixels become the model's input; null (the default) for InsightFace's rule for ArcFace models:
        /// raw pixels when the graph normalises its input itself, else the InsightFace preset, (x - 127.5) / 127.5.
        /// </summary>
        public PixelNormalization Normalization { get; set; }

        /// <summary>
        /// Most faces per inference call. Models with a fixed batch dimension of 1 (like the faceplugin
        /// test model) always run one face per call.
        /// </summary>
        public int MaxBatchSize { get; set; } = 16;

        /// <summary>ONNX Runtime threads per call (1 when calls run in parallel, 0 for every core).</summary>
        public int IntraOpThreads { get; set; } = 1;

        internal void Validate()
        {
            if (MaxBatchSize < 1) { throw new ArgumentOutOfRangeException(nameof(MaxBatchSize)); }
            if (IntraOpThreads < 0) { throw new ArgumentOutOfRangeException(nameof(IntraOpThreads)); }
        }
    }

    /// <summary>
    /// An ArcFace-style recognition model: one float input [N,3,S,S] of aligned faces, one float output
    /// [N,D]. The input name and size come from the model; the pixel normalisation from the options.
    /// Embeddings are L2-normalised.
    /// </summary>
    public sealed class FaceRecognizer : IDisposable
    {
        private readonly OnnxModel _model;
        private readonly string _inputName;
        private readonly string[] _outputNames;

        private FaceRecognizer(OnnxModel model, FaceRecognizerOptions options)
        {
            _model = model;
            if (options.Normalization != null)
            {
                Normalization = options.Normalization;
                NormalizationSource = "as given";
            }
            else
            {
                Normalization = OnnxGraphNodes.ArcFaceNormalization(model.Path, out var reason);
                NormalizationSource = reason;
            }

            var input = model.Inputs.Count == 1 ? model.Inputs[0] : null;
            var output = model.Outputs.FirstOrDefault();
            var inputFits = input != null && input.IsFloat && input.Rank == 4 && (input.Dim(1) == 3 || input.Dim(1) < 0)
                && (input.Dim(2) < 0 || input.Dim(3) < 0 || input.Dim(2) == input.Dim(3));
            var outputFits = output != null && output.IsFloat && output.Rank == 2;
            if (!inputFits || !outputFits)
            {
                throw new OnnxModelException(
                    $"The recognition model '{model.FileName}' does not fit. Expected one float input [N,3,S,S] (aligned face, NCHW) and a float output [N,D] " +
                    $"(the embedding); found {model.DescribeSignature()}.",
                    model.Path, OnnxModelRole.Recognizer, OnnxModelProblem.ContractMismatch);
            }

            _inputName = input.Name;
            _outputNames = new[] { output.Name };
            // Free spatial dimensions: ArcFace's 112.
            InputSize = input.Dim(2) > 0 ? (int)input.Dim(2) : input.Dim(3) > 0 ? (int)input.Dim(3) : 112;
            var batch = input.Dim(0);
            MaxBatchSize = batch > 0 ? (int)Math.Min(batch, options.MaxBatchSize) : options.MaxBatchSize;
            FixedBatch = batch > 0 ? (int)batch : 0;
            EmbeddingLength = output.Dim(1) > 0 ? (int)output.Dim(1) : 0;
        }

        /// <summary>Full path of the model file.</summary>
        public string ModelPath => _model.Path;

        /// <summary>File name of the model.</summary>
        public string ModelFileName => _model.FileName;

        /// <summary>Name of the model's input tensor.</summary>
        public string InputName => _inputName;

        /// <summary>Side of the square aligned face the model takes (from its input shape; 112 when free).</summary>
        public int InputSize { get; }

        /// <summary>Faces per inference call.</summary>
        public int MaxBatchSize { get; }

        /// <summary>Embedding length from the model's output shape; 0 when the model leaves it free.</summary>
        public int EmbeddingLength { get; }

        public PixelNormalization Normalization { get; }

        /// <summary>Why <see cref="Normalization"/> was chosen: "as given", or the graph rule that chose it.</summary>
        public string NormalizationSource { get; }

        /// <summary>The batch dimension the model fixes, or 0 when it is free.</summary>
        private int FixedBatch { get; }

        /// <summary>Loads the model (one session, reused for every call).</summary>
        public static FaceRecognizer Open(string modelPath, FaceRecognizerOptions options = null)
        {
            options = options ?? new FaceRecognizerOptions();
            options.Validate();
            var model = OnnxModel.Open(modelPath, OnnxModelRole.Recognizer, options.IntraOpThreads);
            try
            {
                return new FaceRecognizer(model, options);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        /// <summary>Aligns a detected face (its five landmarks) to this model's input size.</summary>
        public RgbImage Align(RgbImage image, FaceDetection face)
        {
            if (face?.LandmarksUnsafe == null) { throw new ArgumentException("The face has no landmarks to align by.", nameof(face)); }
            return FaceAlignment.Align(image, face.LandmarksUnsafe, InputSize);
        }

        /// <summary>The model's input values for one aligned face (3 x S x S, planar).</summary>
        public float[] Preprocess(RgbImage alignedFace)
        {
            if (alignedFace == null) { throw new ArgumentNullException(nameof(alignedFace)); }
            if (alignedFace.Width != InputSize || alignedFace.Height != InputSize)
            {
                throw new ArgumentException($"The model takes {InputSize}x{InputSize} faces; got {alignedFace.Width}x{alignedFace.Height}.", nameof(alignedFace));
            }

            var tensor = new float[3 * InputSize * InputSize];
            Normalization.WritePlanar(alignedFace, tensor, 0);
            return tensor;
        }

        /// <summary>L2-normalised embeddings of aligned faces, in order, batched per call.</summary>
        public float[][] Embed(IReadOnlyList<RgbImage> alignedFaces, CancellationToken cancellationToken = default(CancellationToken)) =>
            EmbedPreprocessed(alignedFaces.Select(Preprocess).ToList(), cancellationToken);

        /// <summary>L2-normalised embeddings of preprocessed inputs (see <see cref="Preprocess"/>), in order.</summary>
        public float[][] EmbedPreprocessed(IReadOnlyList<float[]> inputs, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (inputs == null) { throw new ArgumentNullException(nameof(inputs)); }
            var per = 3 * InputSize * InputSize;
            var result = new float[inputs.Count][];
            for (var start = 0; start < inputs.Count; start += MaxBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = Math.Min(MaxBatchSize, inputs.Count - start);
                // A model with a fixed batch larger than the remainder gets zero-padded rows that are ignored.
                var rows = FixedBatch > 0 ? FixedBatch : n;
                var batch = new float[rows * per];
                for (var i = 0; i < n; i++)
                {
                    var one = inputs[start + i];
                    if (one == null || one.Length != per) { throw new ArgumentException($"Input {start + i} has {one?.Length ?? 0} values; the model takes {per}.", nameof(inputs)); }
                    Buffer.BlockCopy(one, 0, batch, i * per * sizeof(float), per * sizeof(float));
                }

                var output = _model.Run(_inputName, batch, new long[] { rows, 3, InputSize, InputSize }, _outputNames, cancellationToken)[0];
                var dim = output.Shape.Length == 2 ? (int)output.Shape[1] : output.Data.Length / rows;
                for (var i = 0; i < n; i++)
                {
                    var v = new float[dim];
                    Array.Copy(output.Data, i * dim, v, 0, dim);
                    result[start + i] = Vectors.Normalize(v);
                }
            }

            return result;
        }

        public void Dispose() => _model.Dispose();
    }
}
