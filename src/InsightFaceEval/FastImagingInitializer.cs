using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// On PowerShell 7 (.NET), loads ImageSharp's .NET Core build (hardware intrinsics: about twice as
    /// fast at decoding JPEG) from the module's 'coreclr' folder before anything asks for ImageSharp.
    /// Windows PowerShell keeps the netstandard2.0 build next to the module. The two builds have the
    /// same assembly identity and API, so the Core library binds to whichever is loaded.
    /// </summary>
    public sealed class FastImagingInitializer : IModuleAssemblyInitializer
    {
        public void OnImport()
        {
            try
            {
                if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)) { return; }
                if (AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "SixLabors.ImageSharp")) { return; }
                var folder = Path.GetDirectoryName(typeof(FastImagingInitializer).Assembly.Location);
                var fast = Path.Combine(folder ?? string.Empty, "coreclr", "SixLabors.ImageSharp.dll");
                if (File.Exists(fast)) { Assembly.LoadFrom(fast); }
            }
            catch (Exception)
            {
                // The netstandard2.0 build beside the module still works, only slower.
            }
        }
    }
}
