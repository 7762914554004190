using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading;

namespace InsightFaceEval.LocalEndpoint
{
    /// <summary>
    /// What the endpoint saw, for tests and benchmarks (<c>GET /_stats</c>; <c>DELETE /_stats</c> resets).
    /// Images are keyed by the SHA-256 of the uploaded bytes, as FaceEmbedding.Sha256 is.
    /// </summary>
    public sealed class EndpointStats
    {
        private readonly object _gate = new object();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private Dictionary<string, ImageStats> _images = new Dictionary<string, ImageStats>(StringComparer.Ordinal);
        private Dictionary<string, long> _faults = new Dictionary<string, long>(StringComparer.Ordinal);
        private List<double> _arrivals = new List<double>();
        private long _requests, _rateLimited, _unauthorized, _rejected, _badRequests, _successes, _noFace, _aborted;
        private int _inFlight, _maxInFlight;
        private double _clockOffset;

        public void Arrived()
        {
            lock (_gate)
            {
                _requests++;
                _arrivals.Add(_clock.Elapsed.TotalMilliseconds - _clockOffset);
            }
        }

        public void RateLimited() => Interlocked.Increment(ref _rateLimited);

        public void Unauthorized() => Interlocked.Increment(ref _unauthorized);

        public void Rejected() => Interlocked.Increment(ref _rejected);

        public void BadRequest() => Interlocked.Increment(ref _badRequests);

        public void Aborted() => Interlocked.Increment(ref _aborted);

        /// <summary>Counts a processed request for an image and model; returns its attempt number (0 for the first).</summary>
        public int Processing(string sha256, string model, string fileName)
        {
            lock (_gate)
            {
                if (!_images.TryGetValue(sha256, out var image)) { _images[sha256] = image = new ImageStats(); }
                image.Requests++;
                if (fileName != null && !image.FileNames.Contains(fileName)) { image.FileNames.Add(fileName); }
                if (!image.Models.TryGetValue(model, out var counts)) { image.Models[model] = counts = new ModelCounts(); }
                return counts.Requests++;
            }
        }

        public void Fault(string sha256, string model, string kind)
        {
            lock (_gate)
            {
                _faults[kind] = _faults.TryGetValue(kind, out var n) ? n + 1 : 1;
                if (_images.TryGetValue(sha256, out var image))
                {
                    image.Faults++;
                    if (image.Models.TryGetValue(model, out var counts)) { counts.Faults++; }
                }
            }
        }

        /// <summary>A reply with a feature (or an empty one) that reached the client whole.</summary>
        public void Delivered(string sha256, string model, bool noFace)
        {
            lock (_gate)
            {
                _successes++;
                if (noFace) { _noFace++; }
                if (_images.TryGetValue(sha256, out var image))
                {
                    image.Successes++;
                    if (image.Models.TryGetValue(model, out var counts)) { counts.Successes++; }
                }
            }
        }

        public void Enter()
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
        }

        public void Leave() => Interlocked.Decrement(ref _inFlight);

        public void Reset()
        {
            lock (_gate)
            {
                _images = new Dictionary<string, ImageStats>(StringComparer.Ordinal);
                _faults = new Dictionary<string, long>(StringComparer.Ordinal);
                _arrivals = new List<double>();
                _clockOffset = _clock.Elapsed.TotalMilliseconds;
                _requests = _rateLimited = _unauthorized = _rejected = _badRequests = _successes = _noFace = _aborted = 0;
                _maxInFlight = Volatile.Read(ref _inFlight);
            }
        }

        public byte[] ToJson()
        {
            lock (_gate)
            {
                var buffer = new System.IO.MemoryStream();
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteNumber("requests", _requests);
                    w.WriteNumber("rateLimited", Interlocked.Read(ref _rateLimited));
                    w.WriteNumber("unauthorized", Interlocked.Read(ref _unauthorized));
                    w.WriteNumber("rejected", Interlocked.Read(ref _rejected));
                    w.WriteNumber("badRequests", Interlocked.Read(ref _badRequests));
                    w.WriteNumber("successes", _successes);
                    w.WriteNumber("noFace", _noFace);
                    w.WriteNumber("aborted", Interlocked.Read(ref _aborted));
                    w.WriteNumber("maxInFlight", Volatile.Read(ref _maxInFlight));
                    w.WriteStartObject("faults");
                    foreach (var kv in _faults.OrderBy(k => k.Key, StringComparer.Ordinal)) { w.WriteNumber(kv.Key, kv.Value); }
                    w.WriteEndObject();
                    w.WriteStartArray("arrivalsMs");
                    foreach (var t in _arrivals) { w.WriteNumberValue(Math.Round(t, 3)); }
                    w.WriteEndArray();
                    w.WriteStartObject("images");
                    foreach (var (sha, image) in _images)
                    {
                        w.WriteStartObject(sha);
                        w.WriteNumber("requests", image.Requests);
                        w.WriteNumber("successes", image.Successes);
                        w.WriteNumber("faults", image.Faults);
                        w.WriteStartArray("fileNames");
                        foreach (var name in image.FileNames) { w.WriteStringValue(name); }
                        w.WriteEndArray();
                        w.WriteStartObject("models");
                        foreach (var (model, counts) in image.Models)
                        {
                            w.WriteStartObject(model);
                            w.WriteNumber("requests", counts.Requests);
                            w.WriteNumber("successes", counts.Successes);
                            w.WriteNumber("faults", counts.Faults);
                            w.WriteEndObject();
                        }

                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                return buffer.ToArray();
            }
        }

        private sealed class ImageStats
        {
            public int Requests;
            public int Successes;
            public int Faults;
            public List<string> FileNames { get; } = new List<string>();
            public Dictionary<string, ModelCounts> Models { get; } = new Dictionary<string, ModelCounts>(StringComparer.Ordinal);
        }

        private sealed class ModelCounts
        {
            public int Requests;
            public int Successes;
            public int Faults;
        }
    }
}
