using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Bounds on what a server may send back: the reply's bytes, the vector's length, the text kept from it. A reply
    /// over them is refused (ReplyTooLarge) after reading no more than the limit.
    /// </summary>
    public static class ReplyLimits
    {
        /// <summary>Longest embedding accepted (values). Real face models give 128 to 2,048.</summary>
        public const int MaxDimension = 65536;

        /// <summary>
        /// Default cap on a reply's body: the largest accepted vector written out in full (about 25 bytes per value,
        /// e.g. <c>-1.2345678901234567e-05, </c>) plus room for the rest of the object: about 1.6 MB, rounded to 2 MiB.
        /// </summary>
        public const long DefaultMaxReplyBytes = 2L * 1024 * 1024;

        /// <summary>Longest server model name kept (in the store, the output, warnings); longer ones are cut.</summary>
        public const int MaxModelNameLength = 256;

        /// <summary>
        /// Reads <paramref name="stream"/> to its end, or throws <see cref="ReplyTooLargeException"/> as soon as it
        /// holds more than <paramref name="maxBytes"/>: never more than the limit plus one buffer is read.
        /// </summary>
        public static async Task<byte[]> ReadBoundedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
        {
            using (var buffer = new MemoryStream())
            {
                var chunk = new byte[81920];
                while (true)
                {
                    var room = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                    var read = await stream.ReadAsync(chunk, 0, Math.Max(room, 1), cancellationToken).ConfigureAwait(false);
                    if (read == 0) { return buffer.ToArray(); }
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > maxBytes) { throw new ReplyTooLargeException(TooLarge(maxBytes)); }
                }
            }
        }

        /// <summary>The message for a body over <paramref name="maxBytes"/>.</summary>
        public static string TooLarge(long maxBytes) =>
            string.Format(CultureInfo.InvariantCulture,
                "The reply is larger than {0:0.#} MB, more than the largest plausible embedding ({1:N0} values) needs; it was not read further.",
                maxBytes / (1024.0 * 1024.0), MaxDimension);
    }

    /// <summary>A reply over <see cref="ReplyLimits"/>: a body too long or a vector too long.</summary>
    public sealed class ReplyTooLargeException : FormatException
    {
        public ReplyTooLargeException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Reading and capping the Retry-After header of a 429 (RFC 9110 10.2.3): delta seconds or an HTTP date.</summary>
    public static class RetryAfterHeader
    {
        // Anything longer is clamped anyway; this keeps the arithmetic far from TimeSpan's limits.
        private static readonly TimeSpan Longest = TimeSpan.FromDays(36500);

        /// <summary>
        /// The wait a Retry-After value asks for, measured from <paramref name="now"/> (the server's Date when it sent
        /// one). Null when the value is missing, negative or not a number or a date (the caller backs off on its own);
        /// a date in the past is zero; a huge value is returned as at most a hundred years, for <see cref="Clamp"/> to cap.
        /// </summary>
        public static TimeSpan? Parse(string value, DateTimeOffset now)
        {
            if (string.IsNullOrWhiteSpace(value)) { return null; }
            var text = value.Trim();
            var digits = true;
            foreach (var c in text) { if (c < '0' || c > '9') { digits = false; break; } }
            if (digits)
            {
                if (text.Length > 12) { return Longest; }
                var seconds = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
                return seconds >= Longest.TotalSeconds ? Longest : TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParseExact(text, new[] { "r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy" },
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
            {
                var wait = date - now;
                if (wait <= TimeSpan.Zero) { return TimeSpan.Zero; }
                return wait > Longest ? Longest : wait;
            }

            return null;
        }

        /// <summary>Caps a wait at <paramref name="maximum"/>; <paramref name="clamped"/> says whether it was cut.</summary>
        public static TimeSpan Clamp(TimeSpan wait, TimeSpan maximum, out bool clamped)
        {
            if (maximum < TimeSpan.Zero) { maximum = TimeSpan.Zero; }
            clamped = wait > maximum;
            if (clamped) { return maximum; }
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
    }
}
