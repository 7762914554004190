using System;
using System.Net;
using System.Net.Sockets;

namespace InsightFaceEval.Embedding
{
    /// <summary>What a transport exception says about where the request got to.</summary>
    public enum TransportFailureKind
    {
        /// <summary>Anything else (a reset, a dropped reply, TLS): the request may have reached the endpoint.</summary>
        Other = 0,

        /// <summary>The address answered that nothing listens on the port: the request never left.</summary>
        ConnectionRefused = 1,

        /// <summary>The host name does not resolve (DNS): the request never left.</summary>
        HostNotFound = 2,
    }

    /// <summary>
    /// Classifies the exceptions HttpClient throws on .NET (SocketException inside HttpRequestException) and on
    /// .NET Framework (WebException inside HttpRequestException), from their codes, never from their text.
    /// </summary>
    public static class TransportFailures
    {
        public static TransportFailureKind Classify(Exception exception)
        {
            for (var e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                            return TransportFailureKind.ConnectionRefused;
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                        case SocketError.TryAgain:
                            return TransportFailureKind.HostNotFound;
                        default:
                            return TransportFailureKind.Other;
                    }
                }

                // .NET Framework reports a failed lookup without a SocketException inside.
                if (e is WebException web && web.Status == WebExceptionStatus.NameResolutionFailure)
                {
                    return TransportFailureKind.HostNotFound;
                }
            }

            return TransportFailureKind.Other;
        }

        /// <summary>True when the request cannot have reached the endpoint because there was no endpoint to reach.</summary>
        public static bool IsUnreachable(Exception exception) => Classify(exception) != TransportFailureKind.Other;
    }
}
