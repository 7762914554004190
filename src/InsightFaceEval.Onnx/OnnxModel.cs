using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML.OnnxRuntime;

namespace InsightFaceEval.Onnx
{
    /// <summary>An input or output of a model: name, element type and shape (-1 for a free dimension).</summary>
    internal sealed class TensorSignature
    {
        public TensorSignature(string name, Type elementType, long[] dimensions)
        {
            Name = name;
            ElementType = elementType;
            Dimensions = dimensions;
        }

        public string Name { get; }

        public Type ElementType { get; }

        public long[] Dimensions { get; }

        public int Rank => Dimensions.Length;

        public bool IsFloat => ElementType == typeof(float);

        public long Dim(int index) => Dimensions[index];

        public override string ToString() =>
            string.Format(
                CultureInfo.InvariantCulture,
                "'{0}' {1}[{2}]",
                Name,
                ElementType == typeof(float) ? "float" : ElementType?.Name ?? "?",
                string.Join(",", Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>One output of a run, copied out of ONNX Runtime's memory.</summary>
    internal sealed class OutputTensor
    {
        public OutputTensor(float[] data, long[] shape)
        {
            Data = data;
            Shape = shape;
        }

        public float[] Data { get; }

        public long[] Shape { get; }
    }

    /// <summary>
    /// One inference session over one model file, shared by every call and thread (ONNX Runtime's Run is
    /// thread-safe). The only type besides the loader that touches ONNX Runtime.
    /// </summary>
    internal sealed class OnnxModel : IDisposable
    {
        private readonly InferenceSession _session;

        private OnnxModel(string path, OnnxModelRole role, InferenceSession session)
        {
            Path = path;
            Role = role;
            _session = session;
            Inputs = session.InputMetadata.Select(kv => Signature(kv.Key, kv.Value)).ToList();
            Outputs = session.OutputMetadata.Select(kv => Signature(kv.Key, kv.Value)).ToList();
        }

        public string Path { get; }

        public string FileName => System.IO.Path.GetFileName(Path);

        public OnnxModelRole Role { get; }

        public IReadOnlyList<TensorSignature> Inputs { get; }

        public IReadOnlyList<TensorSignature> Outputs { get; }

        /// <summary>"inputs: ...; outputs: ..." for error messages.</summary>
        public string DescribeSignature() =>
            "inputs " + string.Join(", ", Inputs) + "; outputs " + string.Join(", ", Outputs);

        /// <summary>
        /// Opens <paramref name="path"/> with ONNX Runtime. <paramref name="intraOpThreads"/> 0 lets ONNX
        /// Runtime use every core for one call; 1 suits callers that run several calls in parallel.
        /// </summary>
        public static OnnxModel Open(string path, OnnxModelRole role, int intraOpThreads)
        {
            if (string.IsNullOrEmpty(path)) { throw new ArgumentNullException(nameof(path)); }
            var full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new OnnxModelException($"The {Describe(role)} model '{full}' does not exist.", full, role, OnnxModelProblem.NotFound);
            }

            OnnxRuntimeLoader.EnsureLoaded();
            return OpenLoaded(full, role, intraOpThreads);
        }

        private static OnnxModel OpenLoaded(string full, OnnxModelRole role, int intraOpThreads)
        {
            SessionOptions options = null;
            try
            {
                OnnxTelemetry.TurnOff();
                options = new SessionOptions
                {
                    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                    IntraOpNumThreads = Math.Max(0, intraOpThreads),
                    InterOpNumThreads = 1,
                    LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                };
                // Spinning worker threads would hold both cores busy between calls.
                options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                var session = new InferenceSession(full, options);
                return new OnnxModel(full, role, session);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new OnnxModelException(
                    $"'{full}' is not an ONNX model ONNX Runtime can load as the {Describe(role)}: {ex.Message}",
                    full, role, OnnxModelProblem.Unreadable, ex);
            }
            catch (TypeInitializationException ex)
            {
                throw new OnnxRuntimeUnavailableException(
                    $"ONNX Runtime failed to start: {(ex.InnerException ?? ex).Message}", OnnxRuntimeLoader.LoadedFrom, ex);
            }
            finally
            {
                options?.Dispose();
            }
        }

        /// <summary>Runs the model on one float input and copies the named float outputs out.</summary>
        public OutputTensor[] Run(string inputName, float[] data, long[] shape, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var input = OrtValue.CreateTensorValueFromMemory(data, shape))
            using (var runOptions = new RunOptions())
            {
                try
                {
                    // A long batch stops at the next operator when the user presses Ctrl+C.
                    using (cancellationToken.Register(() => runOptions.Terminate = true))
                    using (var results = _session.Run(runOptions, new[] { inputName }, new[] { input }, outputNames.ToArray()))
                    {
                        var copies = new OutputTensor[results.Count];
                        var i = 0;
                        foreach (var value in results)
                        {
                            var info = value.GetTensorTypeAndShape();
                            copies[i++] = new OutputTensor(value.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
                        }

                        return copies;
                    }
                }
                catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new OnnxModelException(
                        $"The {Describe(Role)} model '{FileName}' failed on an input of shape [{string.Join(",", shape)}]: {ex.Message}",
                        Path, Role, OnnxModelProblem.ContractMismatch, ex);
                }
            }
        }

        public void Dispose() => _session.Dispose();

        internal static string Describe(OnnxModelRole role)
        {
            switch (role)
            {
                case OnnxModelRole.Detector: return "face detector";
                case OnnxModelRole.Landmark: return "landmark";
                default: return "recognition";
            }
        }

        private static TensorSignature Signature(string name, NodeMetadata metadata)
        {
            var dims = metadata.IsTensor ? metadata.Dimensions.Select(d => (long)d).ToArray() : new long[0];
            for (var i = 0; i < dims.Length; i++)
            {
                if (dims[i] <= 0) { dims[i] = -1; }
            }

            return new TensorSignature(name, metadata.IsTensor ? metadata.ElementType : null, dims);
        }
    }
}
