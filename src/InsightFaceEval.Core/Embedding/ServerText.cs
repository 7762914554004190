using System;
using System.Text;

namespace InsightFaceEval.Embedding
{
    /// <summary>
    /// Small rules for text that comes from outside (a server's error detail, a name in a file) before it is shown:
    /// no control characters, no bidi overrides, a bounded length, percent-escapes decoded so a scrubber sees them.
    /// </summary>
    public static class ServerText
    {
        /// <summary>Drops C0/C1 control characters (CR, LF and TAB become a space) and bidi/zero-width format characters.</summary>
        public static string StripControls(string text)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            StringBuilder sb = null;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                var keep = !IsUnsafe(c);
                if (keep && sb == null) { continue; }
                if (sb == null) { sb = new StringBuilder(text.Length).Append(text, 0, i); }
                if (keep) { sb.Append(c); }
                else if (c == '\r' || c == '\n' || c == '\t') { sb.Append(' '); }
            }

            return sb == null ? text : sb.ToString();
        }

        /// <summary>Cuts text to <paramref name="maxLength"/> characters, marking the cut with "...".</summary>
        public static string Bound(string text, int maxLength)
        {
            if (text == null || text.Length <= maxLength) { return text; }
            var cut = maxLength;
            if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) { cut--; }
            return text.Substring(0, cut) + "...";
        }

        /// <summary>Decodes percent-escapes (up to three layers deep); text without a valid escape is returned as is.</summary>
        public static string Unescape(string text)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            for (var round = 0; round < 3 && text.IndexOf('%') >= 0; round++)
            {
                string decoded;
                try
                {
                    decoded = Uri.UnescapeDataString(text);
                }
                catch (UriFormatException)
                {
                    break;
                }

                if (decoded == text) { break; }
                text = decoded;
            }

            return text;
        }

        private static bool IsUnsafe(char c) =>
            char.IsControl(c)
            || (c >= '\u200B' && c <= '\u200F')   // zero-width characters and LRM/RLM
            || (c >= '\u202A' && c <= '\u202E')   // bidi embeddings and overrides
            || (c >= '\u2066' && c <= '\u2069')   // bidi isolates
            || c == '\uFEFF';
    }
}
