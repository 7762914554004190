using System;
using System.Collections.Generic;
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

    /// <summary>A problem with one input item or one model, for the cmdlet to turn into an error record.</summary>
    public sealed class MeasurementIssue
    {
        public MeasurementIssue(string model, string problem, string category, string message, object target, bool modelFailed)
        {
            Model = model;
            Problem = problem;
            Category = category;
            Message = message;
            Target = target;
            ModelFailed = modelFailed;
        }

        public string Model { get; }

        /// <summary>ErrorId suffix, e.g. "NoGenuinePairs".</summary>
        public string Problem { get; }

        /// <summary>Name of the PowerShell ErrorCategory.</summary>
        public string Category { get; }

        public string Message { get; }

        public object Target { get; }

        /// <summary>True when the model gets no result because of this problem.</summary>
        public bool ModelFailed { get; }
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
