<#
.SYNOPSIS
    Runs one shard of an all-pairs Measure-FaceVerification: the unit a job array runs once per shard.

.DESCRIPTION
    Scores shard k of N of the pair space of the embeddings at -EmbeddingPath (an embedding store, or a folder of
    .npy files with -Model) and writes its state to -StateDirectory as shard-<k>-of-<N>.state. After every shard has
    run, one merge gives the results of one run over every pair:

        Measure-FaceVerification -FromState (Join-Path $StateDirectory '*.state')

    k comes from -ShardIndex (1 .. N); without it, from the scheduler that started this script:
    - a Kubernetes indexed Job sets JOB_COMPLETION_INDEX (0 .. N-1): k is that plus one;
    - a Slurm job array sets SLURM_ARRAY_TASK_ID: submit the array as --array=1-N, so k is the task id.

    Every shard must see the same embeddings and the same settings (the merge refuses a shard made from other data,
    settings or shard count, and names it).

.EXAMPLE
    pwsh -NoProfile -File shard-worker.ps1 -EmbeddingPath /data/store -ShardCount 8 -ShardIndex 3 -StateDirectory /data/states
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $EmbeddingPath,
    [Parameter(Mandatory = $true)] [ValidateRange(1, 65536)] [int] $ShardCount,
    [Parameter(Mandatory = $true)] [string] $StateDirectory,
    [int] $ShardIndex = 0,
    [string] $Model,
    [int] $BootstrapSamples = 1000,
    [int] $Seed = 1,
    # The module to load: its name (found on PSModulePath) or the path of InsightFaceEval.psd1.
    [string] $ModulePath = 'InsightFaceEval'
)

$ErrorActionPreference = 'Stop'
if ($ShardIndex -lt 1) {
    if ($env:JOB_COMPLETION_INDEX) { $ShardIndex = [int]$env:JOB_COMPLETION_INDEX + 1 }
    elseif ($env:SLURM_ARRAY_TASK_ID) { $ShardIndex = [int]$env:SLURM_ARRAY_TASK_ID }
    else { throw 'No shard number: pass -ShardIndex, or run in a Kubernetes indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID).' }
}

Import-Module $ModulePath
$null = New-Item -ItemType Directory -Path $StateDirectory -Force
$import = @{ Path = $EmbeddingPath }
if ($Model) { $import.Model = $Model }
$statePath = Join-Path $StateDirectory ('shard-{0}-of-{1}.state' -f $ShardIndex, $ShardCount)
Import-FaceEmbedding @import |
    Measure-FaceVerification -Protocol AllPairs -Shard "$ShardIndex/$ShardCount" -StatePath $statePath -BootstrapSamples $BootstrapSamples -Seed $Seed
