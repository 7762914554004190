using System;
using System.Collections.Generic;

namespace InsightFaceEval.Embedding
{
    /// <summary>How an <see cref="ExtractionSession"/> runs.</summary>
    public sealed class ExtractionOptions
    {
        /// <summary>Model names as the user gives them (the server decides which it accepts).</summary>
        public IReadOnlyList<string> Models { get; set; } = Array.Empty<string>();

        /// <summary>How model names compare (case-insensitively on Windows); names that differ only in case under it are refused.</summary>
        public StringComparer ModelNameComparer { get; set; } = PathStyle.Current.Comparer;

        /// <summary>Requests in flight at once.</summary>
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>Client-side cap on requests started per second; null for none.</summary>
        public double? MaxRequestsPerSecond { get; set; }

        /// <summary>Retries after a server error, timeout, dropped connection or broken reply.</summary>
        public int MaximumRetryCount { get; set; } = 5;

        /// <summary>Ignore stored results and extract again.</summary>
        public bool Force { get; set; }

        /// <summary>Ask again for images stored as failures to acquire (no face).</summary>
        public bool RetryNoFace { get; set; }

        /// <summary>Send the file's real name instead of its content hash.</summary>
        public bool SendFileName { get; set; }

        /// <summary>First retry delay (doubles each retry, with jitter).</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>Longest delay between retries.</summary>
        public TimeSpan RetryMaximumDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// 429 replies one image may meet before it is given up with RateLimited (they do not count against
        /// <see cref="MaximumRetryCount"/>): with <see cref="MaximumRetryAfter"/>, this bounds how long a server that
        /// always answers 429 can hold one image.
        /// </summary>
        public int MaximumRateLimitedWaits { get; set; } = 10;

        /// <summary>Longest wait honoured for one 429's Retry-After; a longer one is cut to this (Get-FaceEmbedding -MaximumRetryAfterSec).</summary>
        public TimeSpan MaximumRetryAfter { get; set; } = TimeSpan.FromSeconds(120);

        /// <summary>
        /// Refuse (instead of warn about) a crop in which a local model's detector finds several faces: the pair fails
        /// with MultipleFaces and nothing is stored (Get-FaceEmbedding -FaceSelection RequireOne).
        /// </summary>
        public bool RequireOneFace { get; set; }

        /// <summary>A norm further than this from 1 earns a warning (the service promises unit vectors).</summary>
        public double NormTolerance { get; set; } = 0.01;
    }

    /// <summary>One image to embed with every model of the session.</summary>
    public sealed class ExtractionItem
    {
        public ExtractionItem(string path, string relativePath, string identity)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            RelativePath = relativePath ?? System.IO.Path.GetFileName(path);
            Identity = identity;
        }

        public string Path { get; }

        public string RelativePath { get; }

        public string Identity { get; }

        public override string ToString() => RelativePath;
    }

    public enum ExtractionEventKind
    {
        Output,
        Error,
        Warning,
        Verbose,
    }

    /// <summary>Something the pipeline thread should write; workers only queue these.</summary>
    public sealed class ExtractionEvent
    {
        private ExtractionEvent(ExtractionEventKind kind, FaceEmbedding embedding, Problem error, string message)
        {
            Kind = kind;
            Embedding = embedding;
            Error = error;
            Message = message;
        }

        public ExtractionEventKind Kind { get; }

        public FaceEmbedding Embedding { get; }

        public Problem Error { get; }

        public string Message { get; }

        public static ExtractionEvent Output(FaceEmbedding embedding) => new ExtractionEvent(ExtractionEventKind.Output, embedding, null, null);

        public static ExtractionEvent Fail(Problem error) => new ExtractionEvent(ExtractionEventKind.Error, null, error, error.Exception?.Message);

        public static ExtractionEvent Warning(string message) => new ExtractionEvent(ExtractionEventKind.Warning, null, null, message);

        public static ExtractionEvent Verbose(string message) => new ExtractionEvent(ExtractionEventKind.Verbose, null, null, message);

        public override string ToString() => $"{Kind}: {Message ?? Embedding?.ToString()}";
    }

    /// <summary>A snapshot for the progress bar. Counts are image-model pairs.</summary>
    public sealed class ExtractionProgress
    {
        public ExtractionProgress(long total, long completed, long uploaded, long fromStore, long failed, long requests, TimeSpan elapsed, TimeSpan? pausedFor, double? rateLimit)
        {
            Total = total;
            Completed = completed;
            Uploaded = uploaded;
            FromStore = fromStore;
            Failed = failed;
            Requests = requests;
            Elapsed = elapsed;
            PausedFor = pausedFor;
            RateLimit = rateLimit;
        }

        /// <summary>Pairs received so far (grows while input streams in).</summary>
        public long Total { get; }

        /// <summary>Pairs finished, whatever the outcome.</summary>
        public long Completed { get; }

        /// <summary>Pairs answered by a new request.</summary>
        public long Uploaded { get; }

        /// <summary>Pairs answered from the store (or by an identical image in this run).</summary>
        public long FromStore { get; }

        public long Failed { get; }

        /// <summary>Requests sent, retries included.</summary>
        public long Requests { get; }

        public TimeSpan Elapsed { get; }

        /// <summary>Time left in a server-requested pause (429 Retry-After), if one is running.</summary>
        public TimeSpan? PausedFor { get; }

        /// <summary>The request rate currently allowed, when limited.</summary>
        public double? RateLimit { get; }

        public override string ToString() => $"{Completed} of {Total}";
    }
}
