using System.Management.Automation;
namespace InsightFaceEval.Commands
{
    [Cmdlet(VerbsCommon.New, "FaceCrop")]
    [OutputType(typeof(FaceEmbedding))]
    public sealed class TempCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Path")]
        public string[] Path { get; set; }
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
        [Alias("PSPath")]
        public string[] LiteralPath { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }
        protected override void ProcessRecord() {
            foreach (var f in PathResolver.ResolveFiles(this, Path ?? LiteralPath, Path == null, "NewFaceCrop")) WriteObject(f);
        }
    }
}
