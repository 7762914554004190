# One Measure-FaceVerification run in a fresh process, so its peak memory is its own. Prints one JSON line.
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Embeddings,
    [Parameter(Mandatory)] [string] $Labels,
    # Comma-separated: pwsh -File passes every argument as one string.
    [Parameter(Mandatory)] [string] $FarTarget
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$targets = [double[]]($FarTarget -split ',' | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) })
Import-Module $Manifest
Add-Type -Path (Join-Path (Split-Path $Manifest) 'InsightFaceEval.Core.dll')

# Read the float32 matrix the Python side reads (.npy, version 1, C order), one FaceEmbedding per row.
$bytes = [System.IO.File]::ReadAllBytes($Embeddings)
$headerLength = [BitConverter]::ToUInt16($bytes, 8)
$header = [System.Text.Encoding]::ASCII.GetString($bytes, 10, $headerLength)
if ($header -notmatch "'descr': '<f4'" -or $header -notmatch "'shape': \((\d+), (\d+)\)") { throw "Unexpected .npy header: $header" }
$rows = [int]$Matches[1]; $dimension = [int]$Matches[2]
$offset = 10 + $headerLength
$identity = [System.IO.File]::ReadAllLines($Labels)
$list = [System.Collections.Generic.List[InsightFaceEval.FaceEmbedding]]::new($rows)
for ($r = 0; $r -lt $rows; $r++) {
    $v = [float[]]::new($dimension)
    [Buffer]::BlockCopy($bytes, $offset + $r * $dimension * 4, $v, 0, $dimension * 4)
    $id = 'id{0:D6}' -f [int]$identity[$r]
    $rel = '{0}/{1:D7}.png' -f $id, $r
    $list.Add([InsightFaceEval.FaceEmbedding]::new("/bench/$rel", $rel, $id, 'bench', $v, 'Success', $null, $null, [TimeSpan]::Zero, $false))
}
$bytes = $null
[GC]::Collect()

$notes = [System.Collections.Generic.List[string]]::new()
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$result = $list | Measure-FaceVerification -Protocol AllPairs -FarTarget $targets -BootstrapSamples 0 -Verbose 4>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.VerboseRecord]) { $notes.Add($_.Message) } else { $_ }
}
$clock.Stop()
$m = $result.Completed
$process = [System.Diagnostics.Process]::GetCurrentProcess()
$tar = [ordered]@{}
foreach ($t in $m.TarAtFar) { $tar["$($t.TargetFar)"] = $t.Tar }
[ordered]@{
    seconds = $clock.Elapsed.TotalSeconds
    peak_mb = $process.PeakWorkingSet64 / 1MB
    pairs = $m.GenuinePairs + $m.ImpostorPairs
    genuine = $m.GenuinePairs
    auc = $m.Auc
    eer = $m.Eer
    tar = $tar
    thresholds = @($m.TarAtFar | ForEach-Object { $_.Threshold })
    notes = $notes
} | ConvertTo-Json -Compress -Depth 4
