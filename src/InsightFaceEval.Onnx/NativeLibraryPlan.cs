using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace InsightFaceEval.Onnx
{
    /// <summary>The operating systems ONNX Runtime's native library is planned for.</summary>
    internal enum NativeOs
    {
        Linux,
        Windows,
        OSX,
    }

    /// <summary>
    /// Where ONNX Runtime's native library comes from on one operating system and architecture, and what to tell the
    /// user when it cannot load. Pure (operating system, architecture and folder are passed in) so every case is tested.
    /// </summary>
    internal sealed class NativeLibraryPlan
    {
        /// <summary>The runtime folders the module ships (see InsightFaceEval.Onnx.csproj).</summary>
        public static readonly IReadOnlyList<string> ShippedRuntimes = new[] { "win-x64", "win-arm64", "linux-x64", "linux-arm64", "osx-arm64" };

        private NativeLibraryPlan(NativeOs os, string runtimeIdentifier, string fileName, string expectedPath, IReadOnlyList<string> candidates, bool systemFallback, string unsupported)
        {
            Os = os;
            RuntimeIdentifier = runtimeIdentifier;
            FileName = fileName;
            ExpectedPath = expectedPath;
            Candidates = candidates;
            SystemFallback = systemFallback;
            Unsupported = unsupported;
        }

        public NativeOs Os { get; }

        /// <summary>linux-x64, win-arm64, ... as NuGet names its runtimes folders.</summary>
        public string RuntimeIdentifier { get; }

        /// <summary>onnxruntime.dll, libonnxruntime.so or libonnxruntime.dylib.</summary>
        public string FileName { get; }

        /// <summary>Where the module keeps the library for this system.</summary>
        public string ExpectedPath { get; }

        /// <summary>Files to try, in order.</summary>
        public IReadOnlyList<string> Candidates { get; }

        /// <summary>
        /// Whether a library the system resolves by bare name is acceptable when the module has none. Never on Windows:
        /// the DLL search there may find an old copy in System32 or on the PATH.
        /// </summary>
        public bool SystemFallback { get; }

        /// <summary>Non-null when no build is shipped for this system and none may be looked for: the message to stop with.</summary>
        public string Unsupported { get; }

        public static NativeLibraryPlan For(NativeOs os, Architecture architecture, string baseDirectory)
        {
            var rid = RuntimeIdentifierOf(os, architecture);
            var fileName = os == NativeOs.Windows ? "onnxruntime.dll" : os == NativeOs.OSX ? "libonnxruntime.dylib" : "libonnxruntime.so";
            var expected = Path.Combine(baseDirectory ?? string.Empty, "runtimes", rid, "native", fileName);
            var shipped = ((IList<string>)ShippedRuntimes).Contains(rid);
            string unsupported = null;
            if (os == NativeOs.Windows && !shipped)
            {
                unsupported = $"ONNX Runtime is not shipped for {rid}: the module's local ONNX features need 64-bit PowerShell on x64 or arm64 " +
                              "(this session runs as " + architecture.ToString().ToLowerInvariant() + "). Start the 64-bit PowerShell, or use the hosted API with -ServerUrl.";
            }

            var candidates = new List<string> { expected, Path.Combine(baseDirectory ?? string.Empty, fileName) };
            return new NativeLibraryPlan(os, rid, fileName, expected, candidates, os != NativeOs.Windows, unsupported);
        }

        /// <summary>The plan for this process.</summary>
        public static NativeLibraryPlan ForCurrentProcess(string baseDirectory)
        {
            NativeOs os;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { os = NativeOs.Windows; }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) { os = NativeOs.OSX; }
            else { os = NativeOs.Linux; }
            return For(os, RuntimeInformation.ProcessArchitecture, baseDirectory);
        }

        public static string RuntimeIdentifierOf(NativeOs os, Architecture architecture)
        {
            var prefix = os == NativeOs.Windows ? "win" : os == NativeOs.OSX ? "osx" : "linux";
            string arch;
            switch (architecture)
            {
                case Architecture.X64: arch = "x64"; break;
                case Architecture.X86: arch = "x86"; break;
                case Architecture.Arm64: arch = "arm64"; break;
                case Architecture.Arm: arch = "arm"; break;
                default: arch = architecture.ToString().ToLowerInvariant(); break;
            }

            return prefix + "-" + arch;
        }

        /// <summary>The Visual C++ runtime the Windows build of ONNX Runtime links against (VCRUNTIME140.dll, MSVCP140.dll).</summary>
        public string VisualCppRuntime =>
            Os == NativeOs.Windows
                ? "Microsoft Visual C++ 2015-2022 Redistributable (" + RuntimeIdentifier.Substring(4) + "), from https://aka.ms/vs/17/release/vc_redist." + RuntimeIdentifier.Substring(4) + ".exe"
                : null;

        /// <summary>The message for a library that is missing or could not be loaded.</summary>
        /// <param name="found">The file that exists but failed to load, or null when none exists.</param>
        /// <param name="loadError">What the loader said (a Win32 error number or the exception's message), or null.</param>
        /// <param name="dependencyMissing">True when Windows reported a missing dependency (error 126) or the loader could not tell.</param>
        public string Describe(string found, string loadError, bool dependencyMissing)
        {
            if (Unsupported != null) { return Unsupported; }

            string reason;
            if (found == null)
            {
                reason = SystemFallback
                    ? "the file is missing and the system has no ONNX Runtime either"
                    : "the file is missing (reinstall the module with its runtimes folder)";
            }
            else
            {
                reason = $"'{found}' exists but could not be loaded" + (string.IsNullOrEmpty(loadError) ? string.Empty : ": " + loadError);
            }

            var message = $"ONNX Runtime's native library for {RuntimeIdentifier} is not available: {reason}. Expected '{ExpectedPath}'";
            if (Os == NativeOs.Windows)
            {
                message += found != null && dependencyMissing
                    ? ". A library it depends on is missing: install the " + VisualCppRuntime + "."
                    : ". ONNX Runtime on Windows also needs the " + VisualCppRuntime + ".";
                return message;
            }

            return message + " (the module ships " + string.Join(", ", ShippedRuntimes) + "; on another system install ONNX Runtime 1.31 system-wide).";
        }
    }
}
