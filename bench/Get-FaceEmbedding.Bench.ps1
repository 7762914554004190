#requires -Version 7.2
<#
.SYNOPSIS
    Throughput of Get-FaceEmbedding against the local endpoint, next to the vendor's client and a requests.Session loop.

.DESCRIPTION
    One command, one run, figures and ratios printed at the end:

      1. <Count> PNG crops; the local endpoint with <ServiceTimeMs> ms service time per request and no rate limit.
      2. Get-FaceEmbedding -ThrottleLimit <ThrottleLimit> over all crops, after <WarmUpCount> other crops in the
         same process: images/s, share of the bound ThrottleLimit / service time, and the client's CPU time per
         request (this process, whole pipeline: Get-ChildItem, binding, hashing, HTTP, .npy files, index, output).
      3. (a) The vendor's seed_client.py run once per image, as its guide shows, over <SeedClientSample> crops
             (a new Python process per image; the rate is measured on the sample and holds for any count).
         (b) A Python requests.Session loop over all crops, saving each with np.save.
      4. -MaxRequestsPerSecond <RateLimit> over <RateLimitCount> crops: the most requests the server saw in any
         one-second window, from its own arrival times.

    Targets (issue 3): >= 90% of the bound, >= 30x (a), client CPU < 1 ms per request, and never more than
    <RateLimit> requests in any second at the server (the first second may hold one burst).
    Needs Debian's python3-numpy and python3-requests for (a) and (b); they are reported as skipped otherwise.

.EXAMPLE
    dotnet pwsh ./bench/Get-FaceEmbedding.Bench.ps1

.EXAMPLE
    dotnet pwsh ./bench/Get-FaceEmbedding.Bench.ps1 -Count 200 -SeedClientSample 10 -RateLimitCount 60
#>
[CmdletBinding()]
param(
    [int] $Count = 2000,
    [int] $ServiceTimeMs = 20,
    [int] $ThrottleLimit = 8,
    [int] $SeedClientSample = 60,
    [double] $RateLimit = 20,
    [int] $RateLimitCount = 200,
    [string] $Model = 'dingo',
    # Images sent first, to other paths, so the JIT has compiled the hot paths before the clock starts.
    [int] $WarmUpCount = 1000
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$repo = Split-Path $PSScriptRoot
$env:INSIGHTFACEEVAL_ROOT = $repo

if (-not (Test-Path (Join-Path $repo 'out/InsightFaceEval/InsightFaceEval.psd1')) -or -not (Test-Path (Join-Path $repo 'out/LocalEndpoint'))) {
    & (Join-Path $repo 'build.ps1') -Task Build | Out-Host
}

Import-Module (Join-Path $repo 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $repo 'tests/Pester/LocalEndpoint.psm1') -Force
Import-Module (Join-Path $repo 'out/InsightFaceEval/InsightFaceEval.psd1') -Force

$work = Join-Path ([IO.Path]::GetTempPath()) ('ife-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work
$python = Get-TestPython
$havePython = Test-PythonModule numpy, requests
$peers = Get-TestPeersPath -File 'seed_client.py'
if (-not $peers) { Write-Warning ("The vendor's client is not measured: " + (Get-TestPeersSkipReason -File 'seed_client.py')) }
$endpoints = @()
$rows = [System.Collections.Generic.List[object]]::new()

function Add-Row([string] $Name, $Images, $Seconds, [string] $Note = '') {
    $rate = if ($Seconds -gt 0) { $Images / $Seconds } else { 0 }
    $rows.Add([pscustomobject]@{ Client = $Name; Images = $Images; Seconds = [Math]::Round($Seconds, 2); 'Images/s' = [Math]::Round($rate, 1); Note = $Note })
    $rate
}

try {
    Write-Host "Making $Count PNG crops..."
    $crops = Join-Path $work 'crops'
    $files = @(New-TestCropSet -Path $crops -Count $Count -Identities 100 -FromPhotos)
    $warm = @(New-TestCropSet -Path (Join-Path $work 'warm') -Count $WarmUpCount -FirstIndex 900000)
    $size = ($files | Measure-Object Length -Average).Average
    Write-Host ("{0} crops, {1:0} bytes on average" -f $files.Count, $size)

    $ep = Start-TestEndpoint -ServiceTimeMs $ServiceTimeMs
    $endpoints += $ep

    # Warm both sides up (JIT tiers, connection pool) on other images in this process, then measure.
    # The same pipeline shape as the measured run, so PowerShell's binder and provider paths are compiled too.
    Get-ChildItem (Join-Path $work 'warm') -Recurse -Filter *.png |
        Get-FaceEmbedding -Model $Model -ServerUrl $ep.Url -OutputDirectory (Join-Path $work 'warm-store') -ThrottleLimit $ThrottleLimit |
        ForEach-Object { $null = $_ }
    Reset-TestEndpointStats $ep

    Write-Host "Get-FaceEmbedding -ThrottleLimit $ThrottleLimit over $Count crops..."
    $me = [Diagnostics.Process]::GetCurrentProcess()
    $cpuBefore = $me.TotalProcessorTime
    $userBefore = $me.UserProcessorTime
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $done = 0
    Get-ChildItem $crops -Recurse -Filter *.png | Get-FaceEmbedding -Model $Model -ServerUrl $ep.Url -OutputDirectory (Join-Path $work 'store') -ThrottleLimit $ThrottleLimit |
        ForEach-Object { $done++ }
    $watch.Stop()
    $me.Refresh()
    $cpu = ($me.TotalProcessorTime - $cpuBefore).TotalMilliseconds
    $userCpu = ($me.UserProcessorTime - $userBefore).TotalMilliseconds
    $served = (Get-TestEndpointStats $ep).requests
    $oursRate = Add-Row 'Get-FaceEmbedding' $done $watch.Elapsed.TotalSeconds "ThrottleLimit $ThrottleLimit"
    $bound = $ThrottleLimit * 1000.0 / $ServiceTimeMs
    $cpuPerRequest = $cpu / [Math]::Max(1, $served)

    $seedRate = $null
    $sessionRate = $null
    $seedSame = $null
    if ($havePython -and $peers) {
        Write-Host "Vendor seed_client.py once per image over $SeedClientSample crops..."
        Reset-TestEndpointStats $ep
        $sample = $files | Select-Object -First $SeedClientSample
        $seedOut = Join-Path $work 'seed'
        $null = New-Item -ItemType Directory -Path $seedOut
        Push-Location $peers
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            foreach ($f in $sample) {
                $null = & $python seed_client.py --server-url $ep.Url --model-name $Model --image $f.FullName --output (Join-Path $seedOut ($f.Name + '.npy'))
                if ($LASTEXITCODE -ne 0) { throw "seed_client.py failed on $($f.Name)" }
            }
            $watch.Stop()
        }
        finally { Pop-Location }
        $seedRate = Add-Row '(a) seed_client.py per image' $sample.Count $watch.Elapsed.TotalSeconds "new process per image; $($sample.Count) of $Count"
        $seedSame = @($sample | Where-Object {
                $ours = Join-Path $work "store/$Model/$($_.Directory.Name)/$($_.Name).npy"
                (Get-FileHash $ours).Hash -eq (Get-FileHash (Join-Path $seedOut ($_.Name + '.npy'))).Hash
            }).Count

        Write-Host "Python requests.Session loop over $Count crops..."
        Reset-TestEndpointStats $ep
        $list = Join-Path $work 'files.txt'
        Set-Content -LiteralPath $list -Value $files.FullName -Encoding UTF8
        $sessionOut = Join-Path $work 'session'
        $null = New-Item -ItemType Directory -Path $sessionOut
        $loop = @'
import os, sys, time, numpy as np, requests
url, model, listing, out = sys.argv[1:5]
paths = [line.strip() for line in open(listing) if line.strip()]
session = requests.Session()
start = time.perf_counter()
for i, path in enumerate(paths):
    with open(path, "rb") as f:
        reply = session.post(url, data={"model_name": model},
                             files={"image": (os.path.basename(path), f, "application/octet-stream")}, timeout=120)
    reply.raise_for_status()
    np.save(os.path.join(out, "%d.npy" % i), np.asarray(reply.json()["feature"], dtype=np.float32))
print(time.perf_counter() - start)
'@
        $seconds = [double](& $python -c $loop $ep.Url $Model $list $sessionOut | Select-Object -Last 1)
        if ($LASTEXITCODE -ne 0) { throw 'The requests.Session loop failed.' }
        $sessionRate = Add-Row '(b) requests.Session loop' $Count $seconds 'one process, sequential'
    }
    else {
        Write-Host 'Skipping (a) and (b): /usr/bin/python3 with numpy and requests, or seed_client.py, is missing.'
    }

    Write-Host "Get-FaceEmbedding -MaxRequestsPerSecond $RateLimit over $RateLimitCount crops..."
    $limited = Start-TestEndpoint -ServiceTimeMs $ServiceTimeMs
    $endpoints += $limited
    $null = $files | Select-Object -First $RateLimitCount |
        Get-FaceEmbedding -Model $Model -ServerUrl $limited.Url -OutputDirectory (Join-Path $work 'store-limited') -ThrottleLimit $ThrottleLimit -MaxRequestsPerSecond $RateLimit
    $arrivals = @((Get-TestEndpointStats $limited).arrivalsMs)
    $worst = 0
    $worstAfterFirst = 0
    for ($i = 0; $i -lt $arrivals.Count; $i++) {
        $j = $i
        while ($j + 1 -lt $arrivals.Count -and $arrivals[$j + 1] - $arrivals[$i] -lt 1000) { $j++ }
        $inWindow = $j - $i + 1
        $worst = [Math]::Max($worst, $inWindow)
        if ($arrivals[$i] - $arrivals[0] -ge 1000) { $worstAfterFirst = [Math]::Max($worstAfterFirst, $inWindow) }
    }
    $span = ($arrivals[-1] - $arrivals[0]) / 1000
    $limitedRate = ($arrivals.Count - 1) / [Math]::Max($span, 0.001)

    Write-Host ''
    $rows | Format-Table -AutoSize | Out-Host
    $lines = @(
        ('Crops: {0} PNG, {1:0} bytes on average; endpoint service time {2} ms, no rate limit; {3} warm-up images first.' -f $Count, $size, $ServiceTimeMs, $WarmUpCount)
        ('Get-FaceEmbedding: {0:0.0} images/s = {1:0.0}% of the bound {2} / {3} ms = {4:0} images/s (target >= 90%).' -f $oursRate, (100 * $oursRate / $bound), $ThrottleLimit, $ServiceTimeMs, $bound)
        ('Client CPU: {0:0.000} ms per request ({1:0.000} user + {2:0.000} kernel; {3:0} ms for {4} requests; target < 1 ms).' -f $cpuPerRequest, ($userCpu / [Math]::Max(1, $served)), (($cpu - $userCpu) / [Math]::Max(1, $served)), $cpu, $served)
    )
    if ($seedRate) {
        $lines += ('Speed-up over (a) seed_client.py per image: {0:0.0}x (target >= 30x).' -f ($oursRate / $seedRate))
        $lines += ('Speed-up over (b) requests.Session loop: {0:0.0}x.' -f ($oursRate / $sessionRate))
        $lines += ('seed_client.py .npy files byte-identical to the store''s: {0} of {1}.' -f $seedSame, $SeedClientSample)
    }
    $lines += ('-MaxRequestsPerSecond {0}: {1} requests over {2:0.00} s ({3:0.00}/s); most in any 1 s window: {4} overall, {5} after the first second (target <= {0}).' -f $RateLimit, $arrivals.Count, $span, $limitedRate, $worst, $worstAfterFirst)
    $lines | ForEach-Object { Write-Host $_ }
}
finally {
    $endpoints | Stop-TestEndpoint
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
