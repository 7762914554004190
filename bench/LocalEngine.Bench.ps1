#requires -Version 7.2
<#
.SYNOPSIS
    Local face engine throughput: face crops through the engine against a bare ONNX Runtime loop.

.DESCRIPTION
    Makes -Count face crops (PNG, vendor crop geometry, every crop different) from the 22 faces of the
    sample photos, then times on one and on two workers:
      - the engine end to end (decode, detect on the crop, landmarks, align, recognise, L2-normalise),
      - its detection side and its recognition side separately,
      - a bare ONNX Runtime session loop over the very same preprocessed recogniser inputs,
    and prints images/s, the scaling from one to two workers, and the engine's overhead share of the total.
    Fetches the sample models and photos into .cache when missing. Run it alone on the machine.

.EXAMPLE
    dotnet pwsh ./bench/LocalEngine.Bench.ps1

.EXAMPLE
    dotnet pwsh ./bench/LocalEngine.Bench.ps1 -Count 100
#>
[CmdletBinding()]
param(
    [ValidateRange(10, 100000)]
    [int] $Count = 1000
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
. (Join-Path $root 'build/Assets.ps1')
$assets = Get-TestAssets -CacheDirectory (Join-Path $root '.cache')
$project = Join-Path $PSScriptRoot 'LocalEngine/LocalEngine.Bench.csproj'
& dotnet build $project -c Release -nologo -v q -clp:ErrorsOnly | Out-Host
if ($LASTEXITCODE -ne 0) { throw "Building $project failed." }
& dotnet run --project $project -c Release --no-build -- $assets.ModelDirectory $assets.PhotoDirectory $Count
if ($LASTEXITCODE -ne 0) { throw "The benchmark failed (exit code $LASTEXITCODE)." }
