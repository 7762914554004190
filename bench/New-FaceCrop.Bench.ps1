#requires -Version 7.2
<#
.SYNOPSIS
    Times New-FaceCrop against the vendor's crop helper run in a Python loop, on the same photos.

.DESCRIPTION
    Makes -Count synthetic photos (JPEG, quality 90, -Width x -Height, one face-sized box each, listed
    in boxes.csv), then, in the same run and on the same files:
      - the baseline: bench/seed_crop_loop.py, a plain Python loop of cv2.imread, the vendor helper
        (seed_crop.py from $env:INSIGHTFACEEVAL_PEERS or ../shared/peers, imported, not copied) and cv2.imwrite to PNG;
      - New-FaceCrop, in a fresh child pwsh: Import-Csv boxes.csv | New-FaceCrop.
    Each side's time covers its loop only (not interpreter start, imports or reading the CSV). Peak
    memory is each process's peak resident set (Python's ru_maxrss; .NET's PeakWorkingSet64, which is
    VmHWM on Linux); CPU time per image is reported too, as it holds up when other work shares
    the machine. With -Rounds above 1 the two alternate and the medians are reported.
    Prints images per second for both, the ratio, peak memory and whether every crop size matches.
    Targets (issue 2): ratio >= 1.5 on a 2-core machine, New-FaceCrop's peak memory < 500 MB.
    This is a benchmark, not a test: it never fails a build.

    Needs the staged module (dotnet pwsh ./build.ps1 -Task Build) and Debian's python3 with numpy and
    opencv (apt-get install python3-numpy python3-opencv).

.EXAMPLE
    dotnet pwsh ./bench/New-FaceCrop.Bench.ps1

.EXAMPLE
    dotnet pwsh ./bench/New-FaceCrop.Bench.ps1 -Count 50 -Rounds 3
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100000)] [int] $Count = 500,
    [ValidateRange(16, 20000)] [int] $Width = 1920,
    [ValidateRange(16, 20000)] [int] $Height = 1280,
    [ValidateRange(1, 20)] [int] $Rounds = 1,
    # Worker threads for New-FaceCrop (default: one per processor).
    [ValidateRange(1, 64)] [int] $ThrottleLimit = [Environment]::ProcessorCount,
    # Where the photos and crops go (default: out/bench/new-facecrop in the repository, which git ignores).
    [string] $WorkDirectory,
    [string] $Python = '/usr/bin/python3'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$repo = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $repo 'out/InsightFaceEval/InsightFaceEval.psd1'
Import-Module (Join-Path $repo 'tests/Pester/TestHelpers.psm1') -Force
$peers = Get-TestPeersPath -File 'seed_crop.py'
if (-not $WorkDirectory) { $WorkDirectory = Join-Path $repo 'out/bench/new-facecrop' }
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 -Task Build (no $manifest)." }
if (-not $peers) { throw (Get-TestPeersSkipReason -File 'seed_crop.py') }
if (-not (Get-Command $Python -ErrorAction SilentlyContinue)) { throw "$Python is missing." }
& $Python -c 'import cv2, numpy' 2>$null
if ($LASTEXITCODE -ne 0) { throw "$Python cannot import cv2 and numpy: apt-get install python3-numpy python3-opencv" }

# 1. The photos, made once per count and size.
$photos = Join-Path $WorkDirectory "photos-$Count-${Width}x$Height"
$boxes = Join-Path $photos 'boxes.csv'
if (-not (Test-Path $boxes)) {
    Write-Host "Making $Count synthetic ${Width}x$Height photos in $photos"
    if (Test-Path $photos) { Remove-Item $photos -Recurse -Force }
    & $Python (Join-Path $PSScriptRoot 'make_photos.py') $photos $Count $Width $Height 20261127
    if ($LASTEXITCODE -ne 0) { throw 'Making the photos failed.' }
}
$megabytes = (Get-ChildItem $photos -Filter *.jpg | Measure-Object Length -Sum).Sum / 1MB

# 2. New-FaceCrop in a fresh pwsh, as a user would run it.
$childScript = Join-Path $WorkDirectory 'run-newfacecrop.ps1'
@'
param([string] $Manifest, [string] $Csv, [string] $Out, [int] $Throttle)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $Manifest
$rows = Import-Csv -LiteralPath $Csv
$process = [Diagnostics.Process]::GetCurrentProcess()
$cpu = $process.TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$crops = @($rows | New-FaceCrop -OutputDirectory $Out -DatasetRoot (Split-Path $Csv) -ThrottleLimit $Throttle)
$clock.Stop()
$process.Refresh()
[pscustomobject]@{
    images  = $rows.Count
    seconds = $clock.Elapsed.TotalSeconds
    cpu_seconds = ($process.TotalProcessorTime - $cpu).TotalSeconds
    peak_mb = $process.PeakWorkingSet64 / 1MB
    sizes   = @($crops | ForEach-Object { '{0}x{1}' -f $_.Width, $_.Height })
} | ConvertTo-Json -Compress
'@ | Set-Content -LiteralPath $childScript -Encoding UTF8

$pwshExe = Join-Path $PSHOME ($(if ($env:OS -eq 'Windows_NT') { 'pwsh.exe' } else { 'pwsh' }))
[string[]] $pwsh = if (Test-Path $pwshExe) { @($pwshExe) } else { @('dotnet', (Join-Path $PSHOME 'pwsh.dll')) }

function Invoke-Helper {
    $out = Join-Path $WorkDirectory 'crops-helper'
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    $line = & $Python (Join-Path $PSScriptRoot 'seed_crop_loop.py') $peers $boxes $out | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0) { throw 'The helper loop failed.' }
    $line | ConvertFrom-Json
}

function Invoke-NewFaceCrop {
    $out = Join-Path $WorkDirectory 'crops-newfacecrop'
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    $childArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $childScript, $manifest, $boxes, $out, $ThrottleLimit)
    $line = & $pwsh[0] @childArgs | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0) { throw 'The New-FaceCrop run failed.' }
    $line | ConvertFrom-Json
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

$helperRuns = @(); $oursRuns = @()
for ($round = 1; $round -le $Rounds; $round++) {
    Write-Host "Round $round of ${Rounds}: helper loop"
    $helperRuns += Invoke-Helper
    Write-Host "Round $round of ${Rounds}: New-FaceCrop"
    $oursRuns += Invoke-NewFaceCrop
}

$helperRate = Get-Median ($helperRuns | ForEach-Object { $_.images / $_.seconds })
$oursRate = Get-Median ($oursRuns | ForEach-Object { $_.images / $_.seconds })
$helperCpu = Get-Median ($helperRuns | ForEach-Object { 1000 * $_.cpu_seconds / $_.images })
$oursCpu = Get-Median ($oursRuns | ForEach-Object { 1000 * $_.cpu_seconds / $_.images })
$load = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg -Raw) -split ' ')[0] } else { 'n/a' }
$helperPeak = ($helperRuns | Measure-Object peak_mb -Maximum).Maximum
$oursPeak = ($oursRuns | Measure-Object peak_mb -Maximum).Maximum
$ratio = $oursRate / $helperRate
$theirs = @($helperRuns[-1].sizes)
$ours = @($oursRuns[-1].sizes)
$same = 0
for ($i = 0; $i -lt [Math]::Min($theirs.Count, $ours.Count); $i++) { if ($theirs[$i] -eq $ours[$i]) { $same++ } }

$report = @(
    ''
    "New-FaceCrop benchmark: $Count synthetic ${Width}x$Height JPEGs ({0:N0} MB), one box each; {1} processors, ThrottleLimit {2}, {3} round(s){4}" -f $megabytes, [Environment]::ProcessorCount, $ThrottleLimit, $Rounds, $(if ($Rounds -gt 1) { ', medians' } else { '' })
    ''
    '{0,-34} {1,10} {2,10} {3,12} {4,10}' -f '', 'images/s', 'seconds', 'CPU ms/image', 'peak MB'
    '{0,-34} {1,10:N1} {2,10:N2} {3,12:N1} {4,10:N0}' -f 'seed_crop.py loop (cv2, Python)', $helperRate, ($Count / $helperRate), $helperCpu, $helperPeak
    '{0,-34} {1,10:N1} {2,10:N2} {3,12:N1} {4,10:N0}' -f 'New-FaceCrop', $oursRate, ($Count / $oursRate), $oursCpu, $oursPeak
    ''
    'Ratio (New-FaceCrop / helper): {0:N2}x   target >= 1.5x: {1}' -f $ratio, $(if ($ratio -ge 1.5) { 'met' } else { 'NOT met' })
    'New-FaceCrop peak memory: {0:N0} MB   target < 500 MB: {1}' -f $oursPeak, $(if ($oursPeak -lt 500) { 'met' } else { 'NOT met' })
    'Crop sizes equal to the helper''s: {0} of {1}' -f $same, $Count
    'Load average at the end: {0} (other work on the machine slows both sides and hides the second core)' -f $load
)
$report | ForEach-Object { Write-Host $_ }
