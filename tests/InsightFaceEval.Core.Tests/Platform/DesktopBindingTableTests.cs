using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using InsightFaceEval.Platform;
using Xunit;
using Xunit.Abstractions;

namespace InsightFaceEval.Tests.Platform
{
    /// <summary>
    /// The binding table of the staged module (out/InsightFaceEval) as Windows PowerShell 5.1 sees it. The module is one
    /// netstandard2.0 build whose packages contribute their netstandard2.0 assets; Windows PowerShell loads every DLL in
    /// the module folder's root (the coreclr folder is PowerShell 7's, runtimes holds native libraries). .NET Framework
    /// has no binding redirects for a module, so every reference whose version differs from the shipped file must be one
    /// the module's resolver serves (AssemblyBindingPolicy), and every reference must be shipped or come with the host.
    /// </summary>
    public class DesktopBindingTableTests
    {
        // Supplied by .NET Framework 4.7.2 (netstandard facade, mscorlib) or by the PowerShell host itself.
        private static readonly HashSet<string> HostAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "netstandard", "mscorlib", "System", "System.Core", "System.Management.Automation",
        };

        private readonly ITestOutputHelper _output;

        public DesktopBindingTableTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void EveryReferenceOfTheDesktopAssembliesIsShippedAndServedByTheResolver()
        {
            var module = Path.Combine(TestRepository.RootDirectory, "out", "InsightFaceEval");
            Assert.True(File.Exists(Path.Combine(module, "InsightFaceEval.psd1")),
                $"The staged module is missing under '{module}'. Run 'dotnet pwsh ./build.ps1 -Task Build' (the Test task builds it).");

            var table = BindingTable(module);
            foreach (var row in table.Where(r => r.Differs)) { _output.WriteLine(row.ToString()); }

            // Read for real: the cmdlets' own assembly and ImageSharp's older System.Memory reference are in the table.
            Assert.Contains(table, r => r.Referrer == "InsightFaceEval.dll" && r.Reference.Name == "InsightFaceEval.Core");
            Assert.Contains(table, r => r.Referrer == "SixLabors.ImageSharp.dll" && r.Reference.Name == "System.Memory");
            var broken = table.Where(r => r.Problem != null).Select(r => r + ": " + r.Problem).ToList();
            Assert.True(broken.Count == 0, "References Windows PowerShell 5.1 cannot bind:\n" + string.Join("\n", broken));
        }

        [Fact]
        public void TheBindingTableFlagsWhatTheResolverCannotServe()
        {
            // The same check on hand-made names, so it is known to fail on each kind of problem.
            var shipped = new Dictionary<string, AssemblyName>(StringComparer.OrdinalIgnoreCase)
            {
                ["System.Memory"] = new AssemblyName("System.Memory, Version=4.0.2.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"),
            };
            Assert.Null(Problem(new AssemblyName("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"), shipped));
            Assert.Contains("higher", Problem(new AssemblyName("System.Memory, Version=4.0.3.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"), shipped));
            Assert.Contains("key token", Problem(new AssemblyName("System.Memory, Version=4.0.1.1, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"), shipped));
            Assert.Contains("not shipped", Problem(new AssemblyName("System.Buffers, Version=4.0.3.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"), shipped));
        }

        private static List<Row> BindingTable(string module)
        {
            var files = Directory.GetFiles(module, "*.dll", SearchOption.TopDirectoryOnly);
            var shipped = files.ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => AssemblyName.GetAssemblyName(f), StringComparer.OrdinalIgnoreCase);
            var rows = new List<Row>();
            foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
            {
                using (var stream = File.OpenRead(file))
                using (var pe = new PEReader(stream))
                {
                    var metadata = pe.GetMetadataReader();
                    foreach (var handle in metadata.AssemblyReferences)
                    {
                        var reference = metadata.GetAssemblyReference(handle).GetAssemblyName();
                        shipped.TryGetValue(reference.Name, out var ship);
                        var exact = ship != null && ship.Version == reference.Version && AssemblyBindingPolicy.SameNameAndKey(reference, ship);
                        var fromHost = ship == null && HostAssemblies.Contains(reference.Name);
                        rows.Add(new Row(Path.GetFileName(file), reference, ship, !exact && !fromHost, Problem(reference, shipped)));
                    }
                }
            }

            return rows;
        }

        private static string Problem(AssemblyName reference, IDictionary<string, AssemblyName> shipped)
        {
            if (!shipped.TryGetValue(reference.Name, out var ship))
            {
                return HostAssemblies.Contains(reference.Name) ? null : "not shipped in the module folder and not part of .NET Framework 4.7.2 or PowerShell";
            }

            if (AssemblyBindingPolicy.Covers(reference, ship)) { return null; }
            if (!AssemblyBindingPolicy.SameNameAndKey(reference, ship)) { return "the shipped file has another public key token"; }
            return "asks for a higher version than the one shipped";
        }

        private sealed class Row
        {
            public Row(string referrer, AssemblyName reference, AssemblyName shipped, bool differs, string problem)
            {
                Differs = differs;
                Referrer = referrer;
                Reference = reference;
                Shipped = shipped;
                Problem = problem;
            }

            public string Referrer { get; }

            public AssemblyName Reference { get; }

            public AssemblyName Shipped { get; }

            public string Problem { get; }

            /// <summary>Neither the exact shipped version nor a host assembly: binds only through the resolver.</summary>
            public bool Differs { get; }

            public override string ToString() =>
                $"{Referrer} -> {Reference.FullName} (shipped: {(Shipped == null ? "none" : Shipped.Version.ToString())})";
        }
    }
}
