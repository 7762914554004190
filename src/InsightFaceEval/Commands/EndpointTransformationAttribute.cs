using System;
using System.Management.Automation;
using System.Security;
using InsightFaceEval.Embedding;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Lets an <see cref="EndpointAddress"/> parameter take the URL as a string or as a <see cref="SecureString"/>
    /// (SecretManagement's Get-Secret), as Invoke-RestMethod -Token does. The value is wrapped at once, so what
    /// BoundParameters, error records and hosts see prints as "&lt;endpoint&gt;". An unusable URL is wrapped too and
    /// refused later by the cmdlet, so binding never echoes it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EndpointTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject ps ? ps.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return EndpointAddress.FromText(null);
                case EndpointAddress endpoint:
                    return endpoint;
                case SecureString secure:
                    return EndpointAddress.FromSecureString(secure);
                case string text:
                    return EndpointAddress.FromText(text);
                case Uri url:
                    return EndpointAddress.FromText(url.OriginalString);
                default:
                    // The type only: the value may be the secret in some other wrapping.
                    throw new ArgumentTransformationMetadataException(
                        $"The endpoint URL must be a string or a SecureString, not a {value.GetType().Name}.");
            }
        }
    }
}
