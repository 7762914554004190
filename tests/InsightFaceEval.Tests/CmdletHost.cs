using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using InsightFaceEval.Commands;

namespace InsightFaceEval.Tests
{
    /// <summary>Runs the module's cmdlets in a real PowerShell runspace, in this process, from a scratch folder.</summary>
    internal sealed class CmdletHost : IDisposable
    {
        private readonly Runspace _runspace;

        public CmdletHost()
        {
            Directory = Path.Combine(Path.GetTempPath(), "ife-cmdlet-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Directory);
            var state = InitialSessionState.CreateDefault2();
            foreach (var type in typeof(GetFaceEmbeddingCommand).Assembly.GetTypes())
            {
                var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(type, typeof(CmdletAttribute));
                if (attribute != null)
                {
                    state.Commands.Add(new SessionStateCmdletEntry(attribute.VerbName + "-" + attribute.NounName, type, null));
                }
            }

            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
            Invoke("Set-Location -LiteralPath $args[0]", Directory);
        }

        /// <summary>The scratch folder the runspace starts in.</summary>
        public string Directory { get; }

        /// <summary>Runs a script; returns its output and the error records it wrote (terminating errors are thrown).</summary>
        public (List<PSObject> Output, List<ErrorRecord> Errors) Invoke(string script, params object[] args)
        {
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = _runspace;
                ps.AddScript(script);
                foreach (var a in args) { ps.AddArgument(a); }
                var output = ps.Invoke().ToList();
                return (output, ps.Streams.Error.ToList());
            }
        }

        public void Dispose()
        {
            _runspace.Dispose();
            try { System.IO.Directory.Delete(Directory, true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
