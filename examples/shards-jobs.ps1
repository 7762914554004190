<#
.SYNOPSIS
    Measures all pairs of an embedding collection as N shards in PowerShell jobs on this machine, then merges them.

.DESCRIPTION
    Starts one job per shard (Start-ThreadJob when the ThreadJob module is there, else Start-Job, which runs each
    shard in its own process), each running shard-worker.ps1, waits for them, and merges the states with
    Measure-FaceVerification -FromState. The results equal one Measure-FaceVerification run over every pair, bit for
    bit, bootstrap intervals and hardest pairs included. Each job scores with -ThrottleLimit threads, so keep
    ShardCount x ThrottleLimit near the number of cores.

.EXAMPLE
    ./shards-jobs.ps1 -EmbeddingPath ./embeddings -ShardCount 4 -StateDirectory ./states
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $EmbeddingPath,
    [ValidateRange(1, 1024)] [int] $ShardCount = 4,
    [string] $StateDirectory = 'shards',
    [string] $Model,
    [int] $BootstrapSamples = 1000,
    [int] $Seed = 1,
    [string] $ModulePath = 'InsightFaceEval'
)

$ErrorActionPreference = 'Stop'
$worker = Join-Path $PSScriptRoot 'shard-worker.ps1'
# Jobs start in another runspace or process: hand them full paths.
$EmbeddingPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($EmbeddingPath)
$StateDirectory = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($StateDirectory)
if (Test-Path -LiteralPath $ModulePath) { $ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath }

$useThreads = [bool](Get-Command Start-ThreadJob -ErrorAction SilentlyContinue)
$jobs = foreach ($k in 1..$ShardCount) {
    $arguments = @{
        EmbeddingPath    = $EmbeddingPath
        ShardCount       = $ShardCount
        ShardIndex       = $k
        StateDirectory   = $StateDirectory
        BootstrapSamples = $BootstrapSamples
        Seed             = $Seed
        ModulePath       = $ModulePath
    }
    if ($Model) { $arguments.Model = $Model }
    $run = { param($Script, $Arguments) & $Script @Arguments }
    if ($useThreads) { Start-ThreadJob -ScriptBlock $run -ArgumentList $worker, $arguments -ThrottleLimit $ShardCount }
    else { Start-Job -ScriptBlock $run -ArgumentList $worker, $arguments }
}

$states = @($jobs | Receive-Job -Wait -AutoRemoveJob)
Measure-FaceVerification -FromState @($states | ForEach-Object { $_.FullName })
