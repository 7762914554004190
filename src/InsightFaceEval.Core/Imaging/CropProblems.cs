using System;
using System.IO;

namespace InsightFaceEval.Imaging
{
    /// <summary>Why one face (or a whole image, or the run) produced no crop: the <see cref="Problem.Id"/>s of the crop stage.</summary>
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

        /// <summary>Two sources would write the same crop in one run.</summary>
        DuplicateOutput,

        /// <summary>The crop could not be written.</summary>
        WriteFailed,

        /// <summary>Cropping an image failed in a way no other kind describes.</summary>
        Failed,

        /// <summary>The detections file cannot be read (terminating).</summary>
        InvalidDetectionFile,

        /// <summary>The detections file's path names several files (terminating).</summary>
        AmbiguousDetectionPath,
    }

    /// <summary>
    /// The crop stage's problems as the one <see cref="Problem"/> type: each kind has its exception type and category here,
    /// and nowhere else.
    /// </summary>
    public static class CropProblems
    {
        /// <summary>A problem of <paramref name="kind"/> with <paramref name="message"/>, about <paramref name="target"/> (an image path, a crop path).</summary>
        public static Problem Create(CropProblem kind, string message, object target, Exception inner = null) =>
            new Problem(kind.ToString(), CategoryOf(kind), ExceptionFor(kind, message, inner), target, IsTerminating(kind));

        /// <summary>A problem of <paramref name="kind"/> whose cause is <paramref name="exception"/> itself (its type is kept).</summary>
        public static Problem FromException(CropProblem kind, Exception exception, object target) =>
            new Problem(kind.ToString(), CategoryOf(kind), exception, target, IsTerminating(kind));

        private static bool IsTerminating(CropProblem kind) =>
            kind == CropProblem.InvalidDetectionFile || kind == CropProblem.AmbiguousDetectionPath;

        private static Exception ExceptionFor(CropProblem kind, string message, Exception inner)
        {
            switch (kind)
            {
                case CropProblem.FileNotFound: return new FileNotFoundException(message, inner);
                case CropProblem.ReadFailed:
                case CropProblem.NotARegularFile:
                case CropProblem.OutputExists:
                case CropProblem.DuplicateOutput:
                case CropProblem.WriteFailed: return new IOException(message, inner);
                case CropProblem.InvalidBox:
                case CropProblem.EmptyBox:
                case CropProblem.BoxOutsideImage:
                case CropProblem.NoFace:
                case CropProblem.AmbiguousDetectionPath: return new ArgumentException(message, inner);
                case CropProblem.Failed: return new InvalidOperationException(message, inner);
                default: return new InvalidDataException(message, inner);
            }
        }

        private static ProblemCategory CategoryOf(CropProblem kind)
        {
            switch (kind)
            {
                case CropProblem.FileNotFound: return ProblemCategory.ObjectNotFound;
                case CropProblem.ReadFailed: return ProblemCategory.ReadError;
                case CropProblem.UnsupportedFormat: return ProblemCategory.InvalidType;
                case CropProblem.ImageTooLarge: return ProblemCategory.LimitsExceeded;
                case CropProblem.NotARegularFile:
                case CropProblem.InvalidBox:
                case CropProblem.EmptyBox:
                case CropProblem.BoxOutsideImage:
                case CropProblem.NoFace:
                case CropProblem.AmbiguousDetectionPath: return ProblemCategory.InvalidArgument;
                case CropProblem.OutputExists:
                case CropProblem.DuplicateOutput: return ProblemCategory.ResourceExists;
                case CropProblem.WriteFailed: return ProblemCategory.WriteError;
                case CropProblem.Failed: return ProblemCategory.NotSpecified;
                default: return ProblemCategory.InvalidData;
            }
        }
    }
}
