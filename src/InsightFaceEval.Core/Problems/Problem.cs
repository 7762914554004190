using System;

namespace InsightFaceEval
{
    /// <summary>
    /// The kind of a problem, numbered exactly as PowerShell's <c>ErrorCategory</c> so the cmdlet assembly converts it by
    /// value (a test there checks every name and value). Core cannot name the PowerShell type: it stays PowerShell-free.
    /// </summary>
    public enum ProblemCategory
    {
        NotSpecified = 0,
        OpenError = 1,
        CloseError = 2,
        DeviceError = 3,
        DeadlockDetected = 4,
        InvalidArgument = 5,
        InvalidData = 6,
        InvalidOperation = 7,
        InvalidResult = 8,
        InvalidType = 9,
        MetadataError = 10,
        NotImplemented = 11,
        NotInstalled = 12,
        ObjectNotFound = 13,
        OperationStopped = 14,
        OperationTimeout = 15,
        SyntaxError = 16,
        ParserError = 17,
        PermissionDenied = 18,
        ResourceBusy = 19,
        ResourceExists = 20,
        ResourceUnavailable = 21,
        ReadError = 22,
        WriteError = 23,
        FromStdErr = 24,
        SecurityError = 25,
        ProtocolError = 26,
        ConnectionError = 27,
        AuthenticationError = 28,
        LimitsExceeded = 29,
        QuotaExceeded = 30,
        NotEnabled = 31,
    }

    /// <summary>
    /// The one way Core reports a per-item or setup problem to a cmdlet. The cmdlet turns it into an <c>ErrorRecord</c>
    /// with one function (<c>ProblemRecords.ToErrorRecord</c>): ErrorId is the cmdlet's prefix plus <see cref="Id"/>,
    /// the category is <see cref="Category"/>, the exception keeps its type, the target is the item.
    /// Core messages describe the problem in data terms; a cmdlet may add a parameter hint through <see cref="RecommendedAction"/>.
    /// </summary>
    public sealed class Problem
    {
        public Problem(string id, ProblemCategory category, Exception exception, object target, bool terminating = false, string recommendedAction = null)
        {
            if (string.IsNullOrEmpty(id)) { throw new ArgumentException("A problem needs an id.", nameof(id)); }
            Id = id;
            Category = category;
            Exception = exception ?? throw new ArgumentNullException(nameof(exception));
            Target = target;
            Terminating = terminating;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorId suffix, e.g. "NoFace"; the cmdlet prefixes its own name.</summary>
        public string Id { get; }

        public ProblemCategory Category { get; }

        /// <summary>The cause, with its own type (FileNotFoundException, InvalidDataException, ...).</summary>
        public Exception Exception { get; }

        /// <summary>The item the problem is about (an image path, a model name, a pair-list line), or null for the run.</summary>
        public object Target { get; }

        /// <summary>True when the run cannot go on: the cmdlet throws it instead of writing it.</summary>
        public bool Terminating { get; }

        /// <summary>What the user can do about it, or null.</summary>
        public string RecommendedAction { get; }

        public string Message => Exception.Message;

        /// <summary>The same problem with a recommended action (a cmdlet adds its parameter hint this way).</summary>
        public Problem WithRecommendedAction(string action) => new Problem(Id, Category, Exception, Target, Terminating, action);

        /// <summary>The same problem, now terminating.</summary>
        public Problem AsTerminating() => new Problem(Id, Category, Exception, Target, true, RecommendedAction);

        public override string ToString() => Id + ": " + Exception.Message;
    }
}
