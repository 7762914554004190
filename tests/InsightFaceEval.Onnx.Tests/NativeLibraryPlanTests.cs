using System.IO;
using System.Runtime.InteropServices;
using InsightFaceEval.Onnx;
using Xunit;

namespace InsightFaceEval.Tests.Onnx
{
    public class NativeLibraryPlanTests
    {
        private const string Module = "module";

        [Theory]
        [InlineData(Architecture.X64, "x64")]
        [InlineData(Architecture.Arm64, "arm64")]
        public void WindowsLoadsOnlyTheShippedFileAndNamesTheVisualCppRuntime(Architecture architecture, string arch)
        {
            var plan = NativeLibraryPlan.For(NativeOs.Windows, architecture, Module);
            Assert.Null(plan.Unsupported);
            Assert.Equal(Path.Combine(Module, "runtimes", "win-" + arch, "native", "onnxruntime.dll"), plan.ExpectedPath);
            Assert.False(plan.SystemFallback);

            var missing = plan.Describe(null, null, false);
            Assert.Contains("Microsoft Visual C++ 2015-2022 Redistributable (" + arch + ")", missing);
            Assert.Contains("vc_redist." + arch + ".exe", missing);
            Assert.Contains(plan.ExpectedPath, missing);
        }

        [Fact]
        public void AWindowsLoadFailureForAMissingDependencyTellsToInstallTheRuntime()
        {
            var plan = NativeLibraryPlan.For(NativeOs.Windows, Architecture.X64, Module);
            var message = plan.Describe(plan.ExpectedPath, "Windows error 126", dependencyMissing: true);
            Assert.Contains("A library it depends on is missing: install the Microsoft Visual C++ 2015-2022 Redistributable (x64)", message);
            Assert.Contains("Windows error 126", message);
        }

        [Theory]
        [InlineData(Architecture.X86, "win-x86")]
        [InlineData(Architecture.Arm, "win-arm")]
        public void AWindowsArchitectureWithoutABuildIsRefusedWithoutLookingForASystemCopy(Architecture architecture, string rid)
        {
            var plan = NativeLibraryPlan.For(NativeOs.Windows, architecture, Module);
            Assert.NotNull(plan.Unsupported);
            Assert.Contains("not shipped for " + rid, plan.Unsupported);
            Assert.Contains("64-bit PowerShell", plan.Unsupported);
            Assert.False(plan.SystemFallback);
            Assert.Equal(plan.Unsupported, plan.Describe(null, null, false));
        }

        [Theory]
        [InlineData("Linux", Architecture.X64, "linux-x64", "libonnxruntime.so")]
        [InlineData("OSX", Architecture.Arm64, "osx-arm64", "libonnxruntime.dylib")]
        [InlineData("OSX", Architecture.X64, "osx-x64", "libonnxruntime.dylib")]
        public void OtherSystemsMayUseASystemWideOnnxRuntimeAndNeedNoVisualCppRuntime(string osName, Architecture architecture, string rid, string file)
        {
            var plan = NativeLibraryPlan.For((NativeOs)System.Enum.Parse(typeof(NativeOs), osName), architecture, Module);
            Assert.Null(plan.Unsupported);
            Assert.True(plan.SystemFallback);
            Assert.Equal(Path.Combine(Module, "runtimes", rid, "native", file), plan.ExpectedPath);
            var message = plan.Describe(null, null, false);
            Assert.DoesNotContain("Visual C++", message);
            Assert.Contains("install ONNX Runtime 1.31 system-wide", message);
        }
    }
}
