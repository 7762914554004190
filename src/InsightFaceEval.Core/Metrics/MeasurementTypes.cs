using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using InsightFaceEval.Scoring;

namespace InsightFaceEval.Metrics
{
    /// <summary>How embeddings form pairs.</summary>
    public enum PairProtocol
    {
        /// <summary>Every pair of images; genuine when both have the same identity.</summary>
        AllPairs,

        /// <summary>Each probe against each gallery image (root/gallery + root/probe folders, or one gallery image per identity).</summary>
        GalleryProbe,

        /// <summary>An explicit list of labelled pairs.</summary>
        PairList,
    }

    /// <summary>
    /// A problem with one model's input or measurement: the one <see cref="InsightFaceEval.Problem"/> type (id, category,
    /// the exception with its own type, the item as target), plus the model it concerns and whether that model gets no result.
    /// The cmdlet writes <see cref="Problem"/> through ProblemRecords; the flag and the model name are for callers that
    /// tally per model.
    /// </summary>
    public sealed class ModelProblem
    {
        public ModelProblem(string model, Problem problem, bool modelFailed)
        {
            Model = model;
            Problem = problem ?? throw new ArgumentNullException(nameof(problem));
            ModelFailed = modelFailed;
        }

        public string Model { get; }

        public Problem Problem { get; }

        /// <summary>True when the model gets no result because of this problem.</summary>
        public bool ModelFailed { get; }

        /// <summary>The ErrorId suffix, e.g. "NoGenuinePairs".</summary>
        public string Id => Problem.Id;

        public object Target => Problem.Target;

        public string Message => Problem.Message;

        /// <summary>The data of the model cannot give what is asked (mixed vector lengths, no genuine pairs, ...).</summary>
        internal static ModelProblem InvalidData(string model, string id, string message, object target, bool modelFailed) =>
            new ModelProblem(model, new Problem(id, ProblemCategory.InvalidData, new InvalidDataException(message), target), modelFailed);

        /// <summary>Something the input names is not among the model's embeddings (a pair-list image, any pair at all).</summary>
        internal static ModelProblem NotFound(string model, string id, string message, object target, bool modelFailed) =>
            new ModelProblem(model, new Problem(id, ProblemCategory.ObjectNotFound, new KeyNotFoundException(message), target), modelFailed);

        /// <summary>A model the caller named ambiguously (two names equal under the name rule).</summary>
        internal static ModelProblem InvalidArgument(string model, string id, string message, object target, bool modelFailed) =>
            new ModelProblem(model, new Problem(id, ProblemCategory.InvalidArgument, new ArgumentException(message), target), modelFailed);

        /// <summary>The model's data cannot be measured: the exception keeps its type, with the model named in front.</summary>
        internal static ModelProblem Unmeasurable(string model, UnmeasurableException ex, string detail = null) =>
            new ModelProblem(model, new Problem(ex.Problem, ProblemCategory.InvalidData, new UnmeasurableException($"Model '{model}': {ex.Message}{detail}", ex.Problem), model), true);
    }

    /// <summary>Progress the pipeline thread polls while the workers run (workers never write to the host).</summary>
    public sealed class MeasurementProgress
    {
        private volatile string activity = "Preparing";
        private volatile ScoringProgress pairs;

        public string Activity
        {
            get => activity;
            set => activity = value;
        }

        public ScoringProgress Pairs
        {
            get => pairs;
            set => pairs = value;
        }

        /// <summary>0..100 within the current activity, or -1 when unknown.</summary>
        public int Percent
        {
            get
            {
                var p = pairs;
                if (p == null || p.Total <= 0) { return -1; }
                return (int)Math.Min(100, 100 * p.Done / p.Total);
            }
        }
    }

    /// <summary>One line of a pair list: two dataset-relative paths and a label (true: genuine).</summary>
    public sealed class PairListEntry
    {
        public PairListEntry(string first, string second, bool genuine, int line)
        {
            First = first;
            Second = second;
            Genuine = genuine;
            Line = line;
        }

        public string First { get; }

        public string Second { get; }

        public bool Genuine { get; }

        /// <summary>1-based line in the file, for error messages.</summary>
        public int Line { get; }
    }
}
