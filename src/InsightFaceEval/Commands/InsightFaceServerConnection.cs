using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Get-FaceEmbedding -Api InsightFaceServer: resolves the base URL, the API key (-ApiKey, a SecureString, else
    /// $env:INSIGHTFACE_SERVER_API_KEY) and the Collection into an <see cref="InsightFaceServerBackend"/>, and adds the
    /// parameter hints to the problems only this API has. The URL and the key leave the bound parameters at once and
    /// never reach a message.
    /// </summary>
    internal static class InsightFaceServerConnection
    {
        public const string ApiKeyVariable = "INSIGHTFACE_SERVER_API_KEY";

        /// <summary>Refuses -ApiKey and -CollectionId without -Api InsightFaceServer, and more than one -Model with it.</summary>
        public static void CheckParameters(PSCmdlet cmdlet, string errorPrefix, EndpointApi api, string[] models)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            if (api != EndpointApi.InsightFaceServer)
            {
                foreach (var name in new[] { "ApiKey", "CollectionId" })
                {
                    if (!bound.ContainsKey(name)) { continue; }
                    bound.Remove("ApiKey");
                    cmdlet.ThrowTerminatingError(new ErrorRecord(
                        new PSArgumentException($"-{name} applies to -Api InsightFaceServer only; the hosted endpoint takes neither."),
                        errorPrefix + "ParameterNotForApi", ErrorCategory.InvalidArgument, name));
                }

                return;
            }

            if (models != null && models.Length > 1)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"InsightFace Server runs one model, so -Model takes one name (the name its results are stored under), not {models.Length}."),
                    errorPrefix + "OneModelPerServer", ErrorCategory.InvalidArgument, models));
            }
        }

        /// <summary>The backend for -ServerUrl, -ApiKey (else the environment) and -CollectionId.</summary>
        public static IEmbeddingBackend Open(PSCmdlet cmdlet, string errorPrefix, EndpointAddress serverUrl, SecureString apiKey, string collectionId, TimeSpan timeout, int connections)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            var urlGiven = bound.ContainsKey("ServerUrl");

            // Both are confidential: keep them out of the invocation info that hosts and error records may copy.
            bound.Remove("ServerUrl");
            bound.Remove("ApiKey");
            if (!urlGiven || serverUrl == null || serverUrl.IsEmpty)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException("-Api InsightFaceServer needs the server's base URL in -ServerUrl (for example http://127.0.0.1:18097); the hosted endpoint's $env:INSIGHTFACE_SERVER_URL is not used for it, so the API key goes nowhere else."),
                    errorPrefix + "ServerUrlMissing", ErrorCategory.InvalidArgument, null));
            }

            if (!serverUrl.IsValid)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException(serverUrl.Problem + " (from -ServerUrl)"), errorPrefix + "ServerUrlInvalid", ErrorCategory.InvalidArgument, null));
            }

            var url = serverUrl.Reveal();
            string problem;

            var key = apiKey != null ? Plain(apiKey) : Environment.GetEnvironmentVariable(ApiKeyVariable);
            if (!InsightFaceServerBackend.TryValidateApiKey(key, out problem))
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException(problem + (apiKey != null ? " (from -ApiKey)" : " (from $env:" + ApiKeyVariable + ")")),
                    errorPrefix + "ApiKeyInvalid", ErrorCategory.InvalidArgument, null));
            }

            if (!InsightFaceServerBackend.TryValidateCollectionId(collectionId, out problem))
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException(problem + " (from -CollectionId)"), errorPrefix + "CollectionIdInvalid", ErrorCategory.InvalidArgument, collectionId));
            }

            cmdlet.WriteVerbose(string.IsNullOrEmpty(key)
                ? "InsightFace Server: no API key (-ApiKey or $env:" + ApiKeyVariable + "), so no Authorization header is sent."
                : "InsightFace Server: the API key from " + (apiKey != null ? "-ApiKey" : "$env:" + ApiKeyVariable) + " is sent as a Bearer token.");
            return new InsightFaceServerBackend(url, key, collectionId, timeout, connections);
        }

        /// <summary>The parameter hint for a problem of this API, where it differs from the hosted endpoint's.</summary>
        public static Problem WithHint(Problem problem)
        {
            string hint;
            switch (problem.Id)
            {
                case "Unauthorized":
                    hint = "Pass the server's API key with -ApiKey (a SecureString, for example from Get-Secret) or set $env:" + ApiKeyVariable + ".";
                    break;
                case "EndpointNotFound":
                    hint = "Pass the server's base URL to -ServerUrl, the address in front of /v1 (for example http://127.0.0.1:18097).";
                    break;
                case "ModelRejected":
                    hint = "Check -CollectionId: it must name a Collection on the server; leave it out to use the server's own detection profile.";
                    break;
                default:
                    return problem;
            }

            return new Problem(problem.Id, problem.Category, problem.Exception, problem.Target, problem.Terminating, hint);
        }

        private static string Plain(SecureString secure)
        {
            var pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(pointer);
            }
            finally
            {
                if (pointer != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
            }
        }
    }
}
