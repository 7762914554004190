using System.Net;

namespace InsightFaceEval.Platform
{
    /// <summary>
    /// The TLS versions the module adds to <see cref="ServicePointManager.SecurityProtocol"/> on .NET Framework,
    /// where Windows PowerShell 5.1 often starts with SSL 3 and TLS 1.0 only and the hosted API needs TLS 1.2.
    /// </summary>
    public static class TlsPolicy
    {
        /// <summary>TLS 1.3's value; the enum defines it from .NET Framework 4.8 on.</summary>
        public const int Tls13 = 12288;

        /// <summary>
        /// <paramref name="current"/> with TLS 1.2 (and TLS 1.3 when <paramref name="tls13Defined"/>) OR-ed in: nothing
        /// the host enabled is removed. SystemDefault (0) is returned as is: the
        /// operating system already chooses, and any explicit value would replace that choice.
        /// </summary>
        public static SecurityProtocolType WithModernTls(SecurityProtocolType current, bool tls13Defined)
        {
            if ((int)current == 0) { return current; }
            var result = current | SecurityProtocolType.Tls12;
            if (tls13Defined) { result |= (SecurityProtocolType)Tls13; }
            return result;
        }
    }
}
