<#
.SYNOPSIS
    Measures all pairs of an embedding collection as one shard per computer, through PowerShell remoting.

.DESCRIPTION
    Runs shard k of N on the k-th of -ComputerName (Invoke-Command -AsJob), each reading the embeddings from a
    share and writing its state to a share, then merges the states here. Every computer needs the InsightFaceEval
    module (-ModulePath: its name on PSModulePath there, or a path every computer reads). Reading and writing a
    share from a remote session is a second hop: use a credential the share accepts (CredSSP or Kerberos
    delegation), or local paths on each computer and copy the state files here before the merge.

.EXAMPLE
    ./shards-remoting.ps1 -ComputerName node1, node2, node3 -EmbeddingPath \\files\faces\embeddings -StateDirectory \\files\faces\states
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string[]] $ComputerName,
    [Parameter(Mandatory = $true)] [string] $EmbeddingPath,
    [Parameter(Mandatory = $true)] [string] $StateDirectory,
    [string] $Model,
    [int] $BootstrapSamples = 1000,
    [int] $Seed = 1,
    [string] $ModulePath = 'InsightFaceEval',
    [pscredential] $Credential
)

$ErrorActionPreference = 'Stop'
$count = $ComputerName.Count
$shard = {
    param($EmbeddingPath, $Model, $Index, $Count, $StateDirectory, $BootstrapSamples, $Seed, $ModulePath)
    $ErrorActionPreference = 'Stop'
    Import-Module $ModulePath
    $import = @{ Path = $EmbeddingPath }
    if ($Model) { $import.Model = $Model }
    Import-FaceEmbedding @import |
        Measure-FaceVerification -Protocol AllPairs -Shard "$Index/$Count" -BootstrapSamples $BootstrapSamples -Seed $Seed `
            -StatePath (Join-Path $StateDirectory ('shard-{0}-of-{1}.state' -f $Index, $Count))
}

$jobs = for ($i = 0; $i -lt $count; $i++) {
    $remote = @{
        ComputerName = $ComputerName[$i]
        ScriptBlock  = $shard
        ArgumentList = $EmbeddingPath, $Model, ($i + 1), $count, $StateDirectory, $BootstrapSamples, $Seed, $ModulePath
        AsJob        = $true
    }
    if ($Credential) { $remote.Credential = $Credential }
    Invoke-Command @remote
}

$states = @($jobs | Receive-Job -Wait -AutoRemoveJob)
Measure-FaceVerification -FromState @($states | ForEach-Object { $_.FullName })
