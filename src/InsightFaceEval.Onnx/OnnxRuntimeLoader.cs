using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace InsightFaceEval.Onnx
{
    /// <summary>
    /// Finds ONNX Runtime's native library in the module's runtimes folder before ONNX Runtime's managed
    /// code first calls into it.
    /// </summary>
    /// <remarks>
    /// A PowerShell module is loaded from its own folder, so neither .NET's deps.json probing nor the
    /// Windows DLL search ever looks in runtimes/&lt;rid&gt;/native. The assembly targets netstandard2.0,
    /// which has no NativeLibrary API, so on .NET (Core) the resolver is registered through reflection;
    /// on .NET Framework (Windows PowerShell 5.1) the DLL is pre-loaded by full path, after which
    /// Windows hands the already-loaded module to ONNX Runtime's DllImport("onnxruntime").
    /// </remarks>
    internal static class OnnxRuntimeLoader
    {
        /// <summary>The library name ONNX Runtime's managed code imports.</summary>
        private const string ImportName = "onnxruntime";

        private static readonly object Gate = new object();
        private static IntPtr s_handle;
        private static string s_loadedFrom;

        /// <summary>Full path of the native library in use (or the name the system resolved), once loaded.</summary>
        public static string LoadedFrom
        {
            get { lock (Gate) { return s_loadedFrom; } }
        }

        /// <summary>Runtime identifier of this process, as NuGet names its runtimes folders (linux-x64, win-arm64, ...).</summary>
        public static string RuntimeIdentifier => NativeLibraryPlan.ForCurrentProcess(string.Empty).RuntimeIdentifier;

        /// <summary>The native library's file name on this system.</summary>
        public static string NativeFileName => NativeLibraryPlan.ForCurrentProcess(string.Empty).FileName;

        /// <summary>Where the module keeps the native library for this system.</summary>
        public static string ExpectedPath(string baseDirectory) => NativeLibraryPlan.ForCurrentProcess(baseDirectory).ExpectedPath;

        /// <summary>
        /// Makes sure ONNX Runtime's native library will be found. Idempotent and thread-safe.
        /// Throws <see cref="OnnxRuntimeUnavailableException"/> naming the expected file when it cannot be loaded.
        /// </summary>
        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (s_loadedFrom != null) { return; }
                var baseDirectory = Path.GetDirectoryName(typeof(OnnxRuntimeLoader).Assembly.Location);
                EnsureLoaded(baseDirectory);
            }
        }

        private static void EnsureLoaded(string baseDirectory)
        {
            var plan = NativeLibraryPlan.ForCurrentProcess(baseDirectory);
            if (plan.Unsupported != null) { throw Unavailable(plan, null, null, false, null); }
            var found = plan.Candidates.FirstOrDefault(File.Exists);
            var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);

            if (nativeLibrary != null)
            {
                LoadOnCoreClr(nativeLibrary, plan, found);
            }
            else
            {
                LoadOnNetFramework(plan, found);
            }
        }

        private static void LoadOnCoreClr(Type nativeLibrary, NativeLibraryPlan plan, string found)
        {
            var ortAssembly = LoadManagedAssembly();
            IntPtr handle;
            string from;
            if (found != null)
            {
                var load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
                try
                {
                    handle = (IntPtr)load.Invoke(null, new object[] { found });
                }
                catch (TargetInvocationException ex)
                {
                    // .NET does not say which dependency is missing; on Windows it is nearly always the VC++ runtime.
                    throw Unavailable(plan, found, ex.InnerException?.Message, true, ex.InnerException);
                }

                from = found;
            }
            else
            {
                // Not shipped for this system: outside Windows accept a runtime the host can resolve itself (an
                // application's deps.json, a system-wide install), and otherwise say which file the module lacks.
                var tryLoad = nativeLibrary.GetMethod("TryLoad", new[] { typeof(string), typeof(Assembly), typeof(DllImportSearchPath?), typeof(IntPtr).MakeByRefType() });
                var args = new object[] { ImportName, ortAssembly, null, IntPtr.Zero };
                if (!plan.SystemFallback || tryLoad == null || !(bool)tryLoad.Invoke(null, args))
                {
                    throw Unavailable(plan, null, null, false, null);
                }

                handle = (IntPtr)args[3];
                from = ImportName;
            }

            s_handle = handle;
            RegisterResolver(nativeLibrary, ortAssembly);
            s_loadedFrom = from;
        }

        private static void RegisterResolver(Type nativeLibrary, Assembly ortAssembly)
        {
            var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: false);
            var method = typeof(OnnxRuntimeLoader).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static);
            var setResolver = resolverType == null ? null : nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType });
            if (setResolver != null)
            {
                try
                {
                    setResolver.Invoke(null, new object[] { ortAssembly, Delegate.CreateDelegate(resolverType, method) });
                    return;
                }
                catch (TargetInvocationException ex) when (ex.InnerException is InvalidOperationException)
                {
                    // Someone else (another module in this session) already set ONNX Runtime's resolver; fall
                    // back to the load context's event, which runs when that resolver and probing find nothing.
                }
            }

            var alcType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false);
            var context = alcType?.GetMethod("GetLoadContext", new[] { typeof(Assembly) })?.Invoke(null, new object[] { ortAssembly });
            var resolving = alcType?.GetEvent("ResolvingUnmanagedDll");
            if (context != null && resolving != null)
            {
                Func<Assembly, string, IntPtr> handler = (assembly, name) => Resolve(name, assembly, null);
                resolving.AddEventHandler(context, handler);
            }
        }

        // Signature of System.Runtime.InteropServices.DllImportResolver.
        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            return string.Equals(libraryName, ImportName, StringComparison.Ordinal) ? s_handle : IntPtr.Zero;
        }

        private static void LoadOnNetFramework(NativeLibraryPlan plan, string found)
        {
            if (plan.Os != NativeOs.Windows)
            {
                // Mono and other runtimes without NativeLibrary: leave it to their own probing.
                s_loadedFrom = ImportName;
                return;
            }

            // Never the bare name on Windows: the DLL search could find an old onnxruntime.dll in System32 or on the PATH.
            if (found == null) { throw Unavailable(plan, null, null, false, null); }

            // LOAD_WITH_ALTERED_SEARCH_PATH: the library's own folder is searched for anything it imports.
            var handle = LoadLibraryExW(found, IntPtr.Zero, 0x00000008u);
            if (handle == IntPtr.Zero)
            {
                var error = Marshal.GetLastWin32Error();
                // 126 ERROR_MOD_NOT_FOUND: the file exists, so a DLL it imports (VCRUNTIME140.dll, MSVCP140.dll) is missing.
                throw Unavailable(plan, found, "Windows error " + error, error == 126, null);
            }

            s_handle = handle;
            s_loadedFrom = found;
        }

        private static Assembly LoadManagedAssembly()
        {
            try
            {
                return typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly;
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is FileLoadException || ex is BadImageFormatException)
            {
                throw new OnnxRuntimeUnavailableException(
                    $"ONNX Runtime's managed assembly (Microsoft.ML.OnnxRuntime.dll) could not be loaded from the module folder: {ex.Message}", null, ex);
            }
        }

        private static OnnxRuntimeUnavailableException Unavailable(NativeLibraryPlan plan, string found, string loadError, bool dependencyMissing, Exception inner) =>
            new OnnxRuntimeUnavailableException(plan.Describe(found, loadError, dependencyMissing), plan.ExpectedPath, inner);

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);
    }
}
