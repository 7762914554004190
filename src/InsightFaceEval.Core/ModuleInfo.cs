using System.Reflection;

namespace InsightFaceEval
{
    /// <summary>Facts about this build that results and stores record for provenance.</summary>
    public static class ModuleInfo
    {
        /// <summary>The module version (from the manifest, the one version source).</summary>
        public static string Version { get; } =
            typeof(ModuleInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? typeof(ModuleInfo).Assembly.GetName().Version.ToString(3);
    }
}
