using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using InsightFaceEval.Platform;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Runs when the module is imported: refuses hosts the module does not support, and on .NET Framework
    /// (Windows PowerShell 5.1) registers the assembly resolver that stands in for the binding redirects a
    /// module cannot have, and adds TLS 1.2 (1.3 where defined) to the process's protocols. Removing the
    /// module removes the resolver.
    /// </summary>
    public sealed class WindowsPowerShellSupport : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        private static ResolveEventHandler s_handler;
        private static string s_folder;

        [ThreadStatic]
        private static bool t_resolving;

        private static bool IsNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        public void OnImport()
        {
            var problem = PlatformRequirements.Check(IsNetFramework ? "Desktop" : "Core", PowerShellVersion(), IsNetFramework ? FrameworkRelease() : null);
            if (problem != null) { throw new PlatformNotSupportedException(problem); }
            if (!IsNetFramework) { return; }

            lock (Gate)
            {
                if (s_handler == null)
                {
                    s_folder = Path.GetDirectoryName(typeof(WindowsPowerShellSupport).Assembly.Location);
                    s_handler = Resolve;
                    AppDomain.CurrentDomain.AssemblyResolve += s_handler;
                }
            }

            try
            {
                var tls13 = Enum.IsDefined(typeof(SecurityProtocolType), TlsPolicy.Tls13);
                ServicePointManager.SecurityProtocol = TlsPolicy.WithModernTls(ServicePointManager.SecurityProtocol, tls13);
            }
            catch (NotSupportedException)
            {
                // The operating system lacks TLS 1.2 (Windows 7 without the update): the host's setting stays.
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                if (s_handler != null)
                {
                    AppDomain.CurrentDomain.AssemblyResolve -= s_handler;
                    s_handler = null;
                }
            }
        }

        private static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            if (t_resolving) { return null; }
            t_resolving = true;
            try
            {
                var requested = new AssemblyName(args.Name);
                var loadedAssemblies = AppDomain.CurrentDomain.GetAssemblies();
                var loaded = new List<AssemblyName>(loadedAssemblies.Length);
                foreach (var assembly in loadedAssemblies) { loaded.Add(assembly.GetName()); }

                var file = Path.Combine(s_folder ?? string.Empty, requested.Name + ".dll");
                var moduleCopy = File.Exists(file) ? AssemblyName.GetAssemblyName(file) : null;
                var choice = AssemblyBindingPolicy.Choose(requested, loaded, moduleCopy);
                switch (choice.Source)
                {
                    case BindingSource.Loaded: return loadedAssemblies[choice.LoadedIndex];
                    case BindingSource.ModuleFolder: return Assembly.LoadFrom(file);
                    default: return null;
                }
            }
            catch (Exception)
            {
                // A resolver that throws turns one missing assembly into a confusing error; decline instead.
                return null;
            }
            finally
            {
                t_resolving = false;
            }
        }

        private static Version PowerShellVersion()
        {
            // PSVersionInfo is public in PowerShell 7 and internal in Windows PowerShell 5.1.
            var info = typeof(PSObject).Assembly.GetType("System.Management.Automation.PSVersionInfo");
            var property = info?.GetProperty("PSVersion", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
            return property?.GetValue(null) as Version ?? typeof(PSObject).Assembly.GetName().Version;
        }

        private static int? FrameworkRelease()
        {
            // Microsoft.Win32.Registry is in mscorlib on .NET Framework, but not in netstandard2.0.
            try
            {
                var registry = Type.GetType("Microsoft.Win32.Registry, mscorlib", throwOnError: false);
                var getValue = registry?.GetMethod("GetValue", new[] { typeof(string), typeof(string), typeof(object) });
                var value = getValue?.Invoke(null, new object[] { @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full", "Release", null });
                return value is int release ? release : (int?)null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}
