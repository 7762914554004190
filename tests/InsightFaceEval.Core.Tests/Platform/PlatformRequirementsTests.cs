using System;
using System.Net;
using InsightFaceEval.Platform;
using Xunit;

namespace InsightFaceEval.Tests.Platform
{
    public class PlatformRequirementsTests
    {
        [Theory]
        [InlineData(461808)] // 4.7.2
        [InlineData(528040)] // 4.8
        [InlineData(533320)] // 4.8.1
        public void DesktopWithFramework472OrLaterIsAccepted(int release)
        {
            Assert.Null(PlatformRequirements.Check("Desktop", new Version(5, 1, 19041, 1), release));
        }

        [Fact]
        public void DesktopWithAnOlderFrameworkIsRefusedNamingBothVersions()
        {
            var message = PlatformRequirements.Check("Desktop", new Version(5, 1), 461308);
            Assert.NotNull(message);
            Assert.Contains(".NET Framework 4.7.2 or later", message);
            Assert.Contains(".NET Framework 4.7.1", message);
            Assert.Contains("461308", message);
        }

        [Fact]
        public void DesktopWithAnUnreadableRegistryIsNotHeldAgainstTheHost()
        {
            Assert.Null(PlatformRequirements.Check("Desktop", new Version(5, 1), null));
        }

        [Theory]
        [InlineData("7.4.0")]
        [InlineData("7.6.9")]
        [InlineData("8.0")]
        public void PowerShell74OrLaterIsAccepted(string version)
        {
            Assert.Null(PlatformRequirements.Check("Core", Version.Parse(version), null));
        }

        [Theory]
        [InlineData("7.3.12")]
        [InlineData("7.2.24")]
        [InlineData("6.2.7")]
        public void OlderPowerShell7IsRefusedNamingTheVersion(string version)
        {
            var message = PlatformRequirements.Check("Core", Version.Parse(version), null);
            Assert.NotNull(message);
            Assert.Contains("PowerShell 7.4 or later", message);
            Assert.Contains(version, message);
        }

        [Fact]
        public void TheFrameworkReleaseIsIgnoredOutsideDesktop()
        {
            Assert.Null(PlatformRequirements.Check("Core", new Version(7, 4), 1));
        }
    }

    public class TlsPolicyTests
    {
        private const SecurityProtocolType Ssl3AndTls10 = (SecurityProtocolType)(48 | 192);

        [Fact]
        public void Tls12IsAddedAndTheHostsProtocolsKept()
        {
            var result = TlsPolicy.WithModernTls(Ssl3AndTls10, tls13Defined: false);
            Assert.Equal(Ssl3AndTls10 | SecurityProtocolType.Tls12, result);
            Assert.Equal(0, (int)result & TlsPolicy.Tls13);
        }

        [Fact]
        public void Tls13IsAddedWhereTheEnumDefinesIt()
        {
            var result = TlsPolicy.WithModernTls(SecurityProtocolType.Tls11, tls13Defined: true);
            Assert.Equal(SecurityProtocolType.Tls11 | SecurityProtocolType.Tls12 | (SecurityProtocolType)TlsPolicy.Tls13, result);
        }

        [Fact]
        public void SystemDefaultIsLeftToTheOperatingSystem()
        {
            Assert.Equal(0, (int)TlsPolicy.WithModernTls((SecurityProtocolType)0, tls13Defined: true));
        }

        [Fact]
        public void AHostThatAlreadyHasTls12IsUnchanged()
        {
            var host = SecurityProtocolType.Tls12 | (SecurityProtocolType)TlsPolicy.Tls13;
            Assert.Equal(host, TlsPolicy.WithModernTls(host, tls13Defined: true));
        }
    }
}
