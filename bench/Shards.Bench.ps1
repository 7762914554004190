#requires -Version 7.2
<#
.SYNOPSIS
    Benchmarks sharded Measure-FaceVerification: N shards run one after another on this machine and merged, against
    one unsharded run of the same data.

.DESCRIPTION
    Builds -Embeddings synthetic embeddings of -Dimension floats from -Identities identities (seeded), saves them once
    as .npy files, then in fresh processes (as build.ps1 runs the tests):
    1. one unsharded all-pairs run;
    2. -ShardCount shard runs (-Shard k/N -StatePath), one after another, each in its own process;
    3. the merge (-FromState).
    Prints each run's time and peak memory (the whole process), each state's size, and whether the merged result
    equals the unsharded one (the serialized results, without the time of measurement). Heavy at the default size
    (200,000 x 512: 2x10^10 pairs, scored twice): run it alone on the machine.

.EXAMPLE
    dotnet pwsh ./bench/Shards.Bench.ps1

.EXAMPLE
    dotnet pwsh ./bench/Shards.Bench.ps1 -Embeddings 20000 -Identities 2000 -ShardCount 4
    A quick check at small scale.
#>
[CmdletBinding()]
param(
    [int] $Embeddings = 200000,
    [int] $Identities = 20000,
    [int] $Dimension = 512,
    [int] $ShardCount = 8,
    [int] $BootstrapSamples = 0,
    [string] $WorkDirectory
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
if (-not $WorkDirectory) { $WorkDirectory = Join-Path $root 'out/bench/shards' }
$null = New-Item -ItemType Directory -Path $WorkDirectory -Force
$manifest = Join-Path $root 'out/InsightFaceEval/InsightFaceEval.psd1'
& (Join-Path $root 'build.ps1') -Task Build | Out-Null
$pwsh = Join-Path $PSHOME ($(if ($env:OS -eq 'Windows_NT') { 'pwsh.exe' } else { 'pwsh' }))
$pwshArgs = @()
if (-not (Test-Path $pwsh)) { $pwsh = 'dotnet'; $pwshArgs = @((Join-Path $PSHOME 'pwsh.dll')) }

# The data, once: identity folders of .npy files (Import-FaceEmbedding -Model reads them).
$data = Join-Path $WorkDirectory ('npy-{0}x{1}' -f $Embeddings, $Dimension)
if (-not (Test-Path -LiteralPath (Join-Path $data 'done'))) {
    Import-Module $manifest -Force
    if (Test-Path -LiteralPath $data) { Remove-Item -LiteralPath $data -Recurse -Force }
    Add-Type -CompilerOptions '-optimize' -ReferencedAssemblies (Join-Path (Split-Path $manifest) 'InsightFaceEval.Core.dll'), 'System.Runtime', 'netstandard' -TypeDefinition @'
using System;
using System.IO;
public static class ShardBenchData
{
    /// <summary>Seeded identities: a random centre each, every image the centre plus uniform noise.</summary>
    public static void Write(string folder, int embeddings, int identities, int dimension)
    {
        var rng = new Random(2026);
        var centres = new float[identities][];
        for (int i = 0; i < identities; i++)
        {
            centres[i] = new float[dimension];
            for (int d = 0; d < dimension; d++) { centres[i][d] = (float)(rng.NextDouble() - 0.5); }
        }

        var v = new float[dimension];
        for (int e = 0; e < embeddings; e++)
        {
            int id = e % identities;
            var dir = Path.Combine(folder, "p" + id.ToString("D6"));
            Directory.CreateDirectory(dir);
            for (int d = 0; d < dimension; d++) { v[d] = centres[id][d] + (float)((rng.NextDouble() - 0.5) * 1.5); }
            File.WriteAllBytes(Path.Combine(dir, e.ToString("D7") + ".png.npy"), InsightFaceEval.Embedding.NpyFile.Serialize(v));
        }
    }
}
'@
    [ShardBenchData]::Write($data, $Embeddings, $Identities, $Dimension)
    Set-Content -LiteralPath (Join-Path $data 'done') -Value 'ok' -Encoding UTF8
}

function Invoke-Measured([string] $Name, [string] $Command) {
    <# Runs one command in a fresh pwsh; its time and the process's peak memory. #>
    $script = Join-Path $WorkDirectory "$Name.ps1"
    "`$ErrorActionPreference = 'Stop'; Import-Module '$manifest'; $Command" | Set-Content -LiteralPath $script -Encoding UTF8
    $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($a in $pwshArgs + @('-NoProfile', '-File', $script)) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($info)
    $peak = 0L
    while (-not $process.WaitForExit(200)) {
        try { $process.Refresh(); $peak = [Math]::Max($peak, $process.PeakWorkingSet64) } catch { }
    }
    $clock.Stop()
    if ($process.ExitCode -ne 0) { throw "$Name failed (exit code $($process.ExitCode))." }
    [pscustomobject]@{ Run = $Name; Seconds = [Math]::Round($clock.Elapsed.TotalSeconds, 1); PeakMB = [Math]::Round($peak / 1MB) }
}

$states = Join-Path $WorkDirectory 'states'
if (Test-Path -LiteralPath $states) { Remove-Item -LiteralPath $states -Recurse -Force }
$null = New-Item -ItemType Directory -Path $states
$serialize = '$plain = [object[]]@($r | ForEach-Object { $_.psobject.BaseObject }); ([System.Text.Json.JsonSerializer]::Serialize($plain, [object[]], [System.Text.Json.JsonSerializerOptions]::new()) -replace ''"MeasuredAt":"[^"]*"'', '''')'
$runs = New-Object System.Collections.Generic.List[object]
$runs.Add((Invoke-Measured 'unsharded' ("`$r = Import-FaceEmbedding '$data' -Model bench | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples $BootstrapSamples; $serialize | Set-Content -LiteralPath '$WorkDirectory/unsharded.json' -Encoding UTF8")))
foreach ($k in 1..$ShardCount) {
    $runs.Add((Invoke-Measured "shard-$k" ("Import-FaceEmbedding '$data' -Model bench | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples $BootstrapSamples -Shard '$k/$ShardCount' -StatePath '$states/shard-$k.state' | Out-Null")))
}
$runs.Add((Invoke-Measured 'merge' ("`$r = Measure-FaceVerification -FromState '$states/*.state'; $serialize | Set-Content -LiteralPath '$WorkDirectory/merged.json' -Encoding UTF8")))

$runs | Format-Table -AutoSize | Out-String | Write-Host
$sizes = Get-ChildItem -LiteralPath $states -Filter '*.state' | Sort-Object Name
Write-Host ('State size per shard: {0} (total {1:N1} MB)' -f (($sizes | ForEach-Object { '{0:N1} MB' -f ($_.Length / 1MB) }) -join ', '), (($sizes | Measure-Object Length -Sum).Sum / 1MB))
$shardSeconds = ($runs | Where-Object Run -Like 'shard-*' | Measure-Object Seconds -Sum).Sum
Write-Host ('{0:N0} embeddings x {1}: unsharded {2} s; {3} shards {4} s in sequence (the longest {5} s) + merge {6} s' -f $Embeddings, $Dimension, $runs[0].Seconds, $ShardCount, $shardSeconds, ($runs | Where-Object Run -Like 'shard-*' | Measure-Object Seconds -Maximum).Maximum, $runs[-1].Seconds)
$equal = (Get-Content -LiteralPath "$WorkDirectory/unsharded.json" -Raw -Encoding UTF8) -ceq (Get-Content -LiteralPath "$WorkDirectory/merged.json" -Raw -Encoding UTF8)
Write-Host ('Merged result equals the unsharded one: {0}' -f $equal)
