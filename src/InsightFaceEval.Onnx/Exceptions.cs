using System;

namespace InsightFaceEval.Onnx
{
    /// <summary>ONNX Runtime (its managed assembly or its native library for this system) cannot be loaded.</summary>
    public sealed class OnnxRuntimeUnavailableException : Exception
    {
        public OnnxRuntimeUnavailableException(string message, string expectedPath, Exception innerException)
            : base(message, innerException)
        {
            ExpectedPath = expectedPath;
        }

        /// <summary>Where the module expected the native library.</summary>
        public string ExpectedPath { get; }
    }

    /// <summary>What a model file is for, to word errors about it.</summary>
    public enum OnnxModelRole
    {
        Detector,
        Landmark,
        Recognizer,
    }

    /// <summary>A model file is missing, is not an ONNX model, or its inputs and outputs do not fit its role.</summary>
    public sealed class OnnxModelException : Exception
    {
        public OnnxModelException(string message, string modelPath, OnnxModelRole role, OnnxModelProblem problem, Exception innerException = null)
            : base(message, innerException)
        {
            ModelPath = modelPath;
            Role = role;
            Problem = problem;
        }

        public string ModelPath { get; }

        public OnnxModelRole Role { get; }

        public OnnxModelProblem Problem { get; }
    }

    /// <summary>Why a model was refused.</summary>
    public enum OnnxModelProblem
    {
        /// <summary>The file does not exist.</summary>
        NotFound,

        /// <summary>ONNX Runtime cannot load the file as a model.</summary>
        Unreadable,

        /// <summary>The model loads but its inputs or outputs are not what its role needs.</summary>
        ContractMismatch,

        /// <summary>A detector whose inputs and outputs match none of the layouts the module decodes.</summary>
        UnknownLayout,
    }
}

namespace InsightFaceEval.Onnx
{
    /// <summary>A model pack folder is missing, or holds no model for a role the command needs.</summary>
    public sealed class ModelPackException : Exception
    {
        public ModelPackException(string message, string folder, ModelPackRole? missingRole)
            : base(message)
        {
            Folder = folder;
            MissingRole = missingRole;
        }

        public string Folder { get; }

        /// <summary>The role no file of the pack plays; null when the folder itself is missing.</summary>
        public ModelPackRole? MissingRole { get; }
    }
}
