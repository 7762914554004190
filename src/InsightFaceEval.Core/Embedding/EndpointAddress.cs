using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// The confidential endpoint URL, held in this one type and nowhere else. It prints as <see cref="Placeholder"/>
    /// (<see cref="ToString"/>, and so PowerShell's formatting, BoundParameters, logs and error records), gives out
    /// only a salted fingerprint for the store and reports, and scrubs itself out of any text before it is shown.
    /// Only a transport asks for the URL itself (<see cref="Reveal"/>).
    /// </summary>
    public sealed class EndpointAddress
    {
        /// <summary>What stands where the URL, or a part of it, would have been.</summary>
        public const string Placeholder = "<endpoint>";

        private readonly Uri _url;
        private readonly string[] _secrets;

        private EndpointAddress(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                IsEmpty = true;
                Problem = "The endpoint URL is empty.";
                _secrets = Array.Empty<string>();
                return;
            }

            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                Problem = "The endpoint URL is not an absolute http:// or https:// URL. Use the URL exactly as delivered by email.";

                // Not a URL, but still the user's secret: keep it out of anything shown.
                _secrets = new[] { text.Trim() };
                return;
            }

            _url = url;
            _secrets = SecretsOf(url);
        }

        /// <summary>Wraps a URL given as text (a parameter, an environment variable). Never throws and never echoes it.</summary>
        public static EndpointAddress FromText(string text) => new EndpointAddress(text);

        /// <summary>Wraps a URL kept as a <see cref="SecureString"/> (SecretManagement's Get-Secret).</summary>
        public static EndpointAddress FromSecureString(SecureString secret)
        {
            if (secret == null || secret.Length == 0) { return new EndpointAddress(null); }
            var pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
                return new EndpointAddress(Marshal.PtrToStringUni(pointer, secret.Length));
            }
            finally
            {
                if (pointer != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
            }
        }

        /// <summary>Wraps a URL already parsed.</summary>
        public static EndpointAddress FromUri(Uri url)
        {
            if (url == null) { throw new ArgumentNullException(nameof(url)); }
            return new EndpointAddress(url.OriginalString);
        }

        /// <summary>True when no URL was given (null, empty or blank).</summary>
        public bool IsEmpty { get; }

        /// <summary>True for an absolute http or https URL.</summary>
        public bool IsValid => _url != null;

        /// <summary>Why the URL cannot be used, without the URL in it; null when <see cref="IsValid"/>.</summary>
        public string Problem { get; }

        /// <summary>
        /// The URL itself, for the transport that sends to it. Never put it into a message, a file or an object that
        /// is written out. Throws <see cref="InvalidOperationException"/> (with <see cref="Problem"/>) when not valid.
        /// </summary>
        public Uri Reveal() => _url ?? throw new InvalidOperationException(Problem);

        /// <summary>
        /// A salted fingerprint of the endpoint, as the store and the reports keep it: equal for equal URLs within
        /// one store, and useless for finding the URL.
        /// </summary>
        public string Fingerprint(EmbeddingStore store)
        {
            if (store == null) { throw new ArgumentNullException(nameof(store)); }
            return store.Fingerprint(Reveal().OriginalString);
        }

        /// <summary>
        /// Removes the URL and its parts from a message, also where the text carries them percent-encoded (a server
        /// echoing its request path), and drops control and bidi characters so no text can drive a terminal.
        /// </summary>
        public string Scrub(string text)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            return ScrubPlain(ServerText.StripControls(ServerText.Unescape(text)));
        }

        /// <summary>
        /// Text a server chose (a 422 <c>detail</c>, an error page's first line) made safe to show: scrubbed as
        /// <see cref="Scrub"/>, trimmed, and cut to <paramref name="maxLength"/> characters after scrubbing, so a cut
        /// can never leave a partial secret the scrubber no longer recognises.
        /// </summary>
        public string ScrubServerText(string text, int maxLength)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            return ServerText.Bound(Scrub(text).Trim(), maxLength);
        }

        /// <summary>
        /// True for text that may hold an endpoint URL (any <c>scheme://</c>): such text is left out of reports and
        /// settings, whichever endpoint it names.
        /// </summary>
        public static bool LooksLikeUrl(string text) =>
            text != null && text.IndexOf("://", StringComparison.Ordinal) >= 0;

        /// <summary>Always <see cref="Placeholder"/>: the URL never reaches a host's output by formatting.</summary>
        public override string ToString() => Placeholder;

        private static string[] SecretsOf(Uri url)
        {
            var whole = new List<string>
            {
                url.OriginalString, url.AbsoluteUri, url.GetLeftPart(UriPartial.Path), url.Authority, url.Host,
                url.PathAndQuery, url.AbsolutePath, url.Query, url.UserInfo, Uri.UnescapeDataString(url.PathAndQuery),
            };
            var pieces = new List<string>();
            foreach (var segment in url.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries)) { pieces.Add(segment); pieces.Add(Uri.UnescapeDataString(segment)); }
            foreach (var pair in url.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                pieces.Add(pair);
                var eq = pair.IndexOf('=');
                if (eq >= 0) { pieces.Add(pair.Substring(eq + 1)); pieces.Add(Uri.UnescapeDataString(pair.Substring(eq + 1))); }
            }

            // Longest first, so a whole URL is replaced before its pieces. Short path words ('v1', 'extract') identify
            // nothing and would only garble messages; tokens and keys are long.
            whole = whole.ConvertAll(p => (p ?? string.Empty).Trim('?')).FindAll(p => p.Trim('/').Length >= 4);
            pieces = pieces.FindAll(p => !string.IsNullOrEmpty(p) && p.Length >= 8);
            whole.AddRange(pieces);
            var secrets = whole.ToArray();
            Array.Sort(secrets, (a, b) => b.Length.CompareTo(a.Length));
            return secrets;
        }

        private string ScrubPlain(string text)
        {
            foreach (var secret in _secrets)
            {
                if (text.IndexOf(secret, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    text = ReplaceIgnoreCase(text, secret, Placeholder);
                }
            }

            return text;
        }

        private static string ReplaceIgnoreCase(string text, string value, string replacement)
        {
            var sb = new StringBuilder(text.Length);
            var start = 0;
            int index;
            while ((index = text.IndexOf(value, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                sb.Append(text, start, index - start).Append(replacement);
                start = index + value.Length;
            }

            return sb.Append(text, start, text.Length - start).ToString();
        }
    }
}
