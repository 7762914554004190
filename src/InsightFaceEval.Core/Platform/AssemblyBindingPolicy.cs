using System;
using System.Collections.Generic;
using System.Reflection;

namespace InsightFaceEval.Platform
{
    /// <summary>Where the module's .NET Framework assembly resolver takes an assembly from.</summary>
    public enum BindingSource
    {
        /// <summary>Nothing suitable: the resolver declines and .NET Framework reports the load failure.</summary>
        None,

        /// <summary>An assembly of the same name (and key) already loaded in the process.</summary>
        Loaded,

        /// <summary>The copy in the module folder.</summary>
        ModuleFolder,
    }

    /// <summary>The resolver's answer: the source, and for <see cref="BindingSource.Loaded"/> which loaded assembly.</summary>
    public struct BindingChoice
    {
        public BindingChoice(BindingSource source, int loadedIndex)
        {
            Source = source;
            LoadedIndex = loadedIndex;
        }

        public BindingSource Source { get; }

        /// <summary>Index into the loaded list when <see cref="Source"/> is <see cref="BindingSource.Loaded"/>, else -1.</summary>
        public int LoadedIndex { get; }
    }

    /// <summary>
    /// The binding policy of the module's <c>AppDomain.AssemblyResolve</c> handler on .NET Framework
    /// (Windows PowerShell 5.1), where a module has no binding redirects: the netstandard2.0 builds it
    /// ships ask for older versions of System.Memory and friends than the ones beside them.
    /// </summary>
    /// <remarks>
    /// Pure: the handler gathers the names and this decides. The rule: an already-loaded assembly of the
    /// same name and public key token is served (one copy per process keeps type identity); else the
    /// module folder's copy when its name and public key token match and its version is at least the
    /// one requested; else nothing.
    /// </remarks>
    public static class AssemblyBindingPolicy
    {
        /// <summary>Chooses what to serve for <paramref name="requested"/>.</summary>
        /// <param name="requested">The reference that failed to bind.</param>
        /// <param name="loaded">Names of the assemblies loaded in the process, in any order.</param>
        /// <param name="moduleCopy">Name of the file of that name in the module folder, or null when there is none.</param>
        public static BindingChoice Choose(AssemblyName requested, IReadOnlyList<AssemblyName> loaded, AssemblyName moduleCopy)
        {
            if (requested == null || string.IsNullOrEmpty(requested.Name)) { return new BindingChoice(BindingSource.None, -1); }

            var best = -1;
            if (loaded != null)
            {
                for (var i = 0; i < loaded.Count; i++)
                {
                    var candidate = loaded[i];
                    if (candidate == null || !SameNameAndKey(requested, candidate)) { continue; }
                    if (best < 0 || VersionOf(candidate) > VersionOf(loaded[best])) { best = i; }
                }
            }

            if (best >= 0) { return new BindingChoice(BindingSource.Loaded, best); }
            return Covers(requested, moduleCopy) ? new BindingChoice(BindingSource.ModuleFolder, -1) : new BindingChoice(BindingSource.None, -1);
        }

        /// <summary>True when the shipped file satisfies the request: same name and public key token, version at least the requested one.</summary>
        public static bool Covers(AssemblyName requested, AssemblyName shipped)
        {
            if (requested == null || shipped == null) { return false; }
            return SameNameAndKey(requested, shipped) && VersionOf(shipped) >= VersionOf(requested);
        }

        /// <summary>Same simple name (case-insensitive, as .NET Framework binds) and the same public key token.</summary>
        public static bool SameNameAndKey(AssemblyName a, AssemblyName b) =>
            string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase) && SameToken(a.GetPublicKeyToken(), b.GetPublicKeyToken());

        private static bool SameToken(byte[] a, byte[] b)
        {
            var left = a ?? new byte[0];
            var right = b ?? new byte[0];
            if (left.Length != right.Length) { return false; }
            for (var i = 0; i < left.Length; i++)
            {
                if (left[i] != right[i]) { return false; }
            }

            return true;
        }

        private static Version VersionOf(AssemblyName name) => name.Version ?? new Version(0, 0, 0, 0);
    }
}
