<#
.SYNOPSIS
    Nightly evaluation: extract what is new, measure, report into a dated folder, check against the
    baseline, print a JSON summary, and exit 0 (healthy) or 1 (regression or failure) for the scheduler.

.DESCRIPTION
    Runs unattended from cron, a systemd timer or Windows Task Scheduler (docs/nightly.md shows all
    three). Each run:

      1. Extracts embeddings for every image under -DatasetPath with Get-FaceEmbedding into the
         persistent store -StorePath. The store makes this resumable: images whose bytes already have a
         stored result for a model are not uploaded again, so a run that was interrupted, or tonight's run
         after last night's, uploads only what is new.
      2. Measures 1:1 verification with Measure-FaceVerification (-Protocol, bootstrap intervals).
      3. Writes report.html, report.md and report.json into <OutputRoot>/reports/<UTC date and time>/.
         Nightly reports leave face images out unless -IncludeFaceImages is given: they are archived and
         read by more people than the dataset.
      4. Checks the results against the baseline with Test-FaceVerificationBaseline. The first run (or
         -UpdateBaseline) makes today's results the baseline.
      5. Optionally (-CanaryCount N) re-extracts N already-stored images per model into a scratch store and
         compares the vectors with Test-FaceEmbeddingDrift: a model replaced behind the same name shows up even
         though the store skips uploads.

    The script's output is exactly one JSON object (the summary below), written to the pipeline; every log
    line goes to standard error. So `nightly.ps1 ... > summary.json` (a shell) and
    `& ./nightly.ps1 ... | Out-File summary.json -Encoding UTF8` (PowerShell) both keep the summary alone.

    -Model takes a list: `-Model dingo, eagle` in PowerShell, and `-Model dingo,eagle` (one argument) from a
    shell, cron, systemd or Task Scheduler through `pwsh -File`, which passes it as one string; the script
    splits it on commas.

    Exit code 0: the checks passed (or a baseline was created). Exit code 1: a metric regressed beyond its
    tolerance, a baseline model is missing, the canary found a changed model, or the run failed. A run that
    uploaded nothing checks that the endpoint still answers a connection (no request is sent): an
    unreachable endpoint fails the run even when every image came from the store.

    The endpoint URL is taken from -ServerUrl or $env:INSIGHTFACE_SERVER_URL and is never printed,
    logged, or written to the summary or reports.

.EXAMPLE
    pwsh -NoProfile -File /opt/face-eval/examples/nightly.ps1 -DatasetPath /data/faces -Model dingo,eagle -OutputRoot /var/lib/face-eval

.EXAMPLE
    $env:INSIGHTFACE_SERVER_URL = Get-Secret InsightFaceUrl -AsPlainText
    ./examples/nightly.ps1 -DatasetPath D:\faces -Model dingo -OutputRoot D:\face-eval -CanaryCount 8
#>
[CmdletBinding(PositionalBinding = $false)]
param(
    # Identity folders of face crops: <DatasetPath>/<identity>/<image>.png
    [Parameter(Mandatory)] [string] $DatasetPath,

    [string[]] $Model = @('dingo'),

    # The endpoint URL; by default $env:INSIGHTFACE_SERVER_URL. Never printed.
    [string] $ServerUrl,

    # Where the store, the reports and the baseline live.
    [string] $OutputRoot = (Join-Path (Get-Location) 'nightly'),

    # The persistent embedding store (default: <OutputRoot>/store).
    [string] $StorePath,

    # The baseline report JSON (default: <OutputRoot>/baseline.json).
    [string] $BaselinePath,

    [ValidateSet('AllPairs', 'GalleryProbe')] [string] $Protocol = 'AllPairs',

    [int] $BootstrapSamples = 200,

    [double] $TarTolerance = 0.01,
    [double] $EerTolerance = 0.01,
    [double] $AucTolerance = 0.005,
    [double] $FtaTolerance = 0.01,

    # Re-extract this many stored images each run to detect a model changed behind the same name (0: off).
    [int] $CanaryCount = 0,

    [int] $ThrottleLimit = 4,
    # Get-FaceEmbedding -MaximumRequestsPerSecond (0: no pacing). -MaxRequestsPerSecond still works.
    [Alias('MaxRequestsPerSecond')] [double] $MaximumRequestsPerSecond = 0,

    # Retries per image for 5xx, timeouts and dropped connections (Get-FaceEmbedding -MaximumRetryCount).
    [int] $MaximumRetryCount = 5,

    # Make today's results the baseline instead of checking them.
    [switch] $UpdateBaseline,

    # Put face thumbnails into the HTML report (biometric data: mind who reads the reports).
    [switch] $IncludeFaceImages,

    # The module to use (default: the installed InsightFaceEval, else the one staged by build.ps1).
    [string] $ModulePath,

    # Arguments no parameter took. '-Model dingo, eagle' through 'pwsh -File' arrives as 'dingo,' and 'eagle':
    # a value after a trailing comma continues the model list; anything else fails the run.
    [Parameter(ValueFromRemainingArguments = $true, DontShow = $true)] [string[]] $UnboundArguments
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Write-Log([string] $Message) {
    # Standard error only: standard output is the JSON summary. The module never puts the URL into a message,
    # and this script never writes it: no message here is built from it.
    [Console]::Error.WriteLine(('[{0:HH:mm:ss}] {1}' -f [DateTime]::UtcNow, $Message))
}

function Write-Summary($Summary, [int] $ExitCode) {
    # To the pipeline, so '| Out-File' and '> file' both capture it.
    Write-Output ($Summary | ConvertTo-Json -Depth 6)
    exit $ExitCode
}

function Test-EndpointConnection([string] $Url) {
    # A TCP connection to the endpoint (or to the proxy that reaches it), no HTTP request: nothing is
    # uploaded and nothing counts against the rate limit. Returns $null when it connects, else why not,
    # never the address.
    $target = $null
    if (-not [uri]::TryCreate($Url, [UriKind]::Absolute, [ref] $target)) { return 'not an absolute URL' }
    try {
        $proxy = if ([System.Net.Http.HttpClient].GetProperty('DefaultProxy')) { [System.Net.Http.HttpClient]::DefaultProxy } else { [System.Net.WebRequest]::DefaultWebProxy }
        if ($proxy -and -not $proxy.IsBypassed($target)) { $target = $proxy.GetProxy($target) }
    }
    catch { }
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        if (-not $client.ConnectAsync($target.DnsSafeHost, $target.Port).Wait(10000)) { return 'no connection within 10 s' }
        return $null
    }
    catch {
        $socket = $_.Exception
        while ($socket -and $socket -isnot [System.Net.Sockets.SocketException]) { $socket = $socket.InnerException }
        if (-not $socket) { return 'no connection' }
        switch ("$($socket.SocketErrorCode)") {
            'ConnectionRefused' { 'connection refused' }
            'HostNotFound' { 'host name not found' }
            'TryAgain' { 'host name not found' }
            'TimedOut' { 'connection timed out' }
            default { "no connection ($($socket.SocketErrorCode))" }
        }
    }
    finally { $client.Dispose() }
}

# '-Model dingo,eagle' through 'pwsh -File' arrives as one string: split every value on commas.
$unexpected = 0
$continues = [bool]($Model | Select-Object -Last 1 | Where-Object { $_ -match ',\s*$' })
foreach ($argument in @($UnboundArguments | Where-Object { $null -ne $_ })) {
    if ($continues -or $argument -match '^\s*,') { $Model += $argument; $continues = $argument -match ',\s*$' }
    else { $unexpected++ }
}
$Model = @($Model | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })

$started = [DateTimeOffset]::UtcNow
$summary = [ordered]@{
    status         = 'failed'
    startedAt      = $started.ToString('yyyy-MM-ddTHH:mm:ssZ')
    finishedAt     = $null
    models         = $Model
    images         = 0
    uploaded       = 0
    fromStore      = 0
    noFace         = 0
    errors         = 0
    reportDirectory = $null
    reports        = $null
    baselinePath   = $null
    checksFailed   = @()
    canary         = $null
    message        = $null
}

try {
    # Never echo the stray values: one of them may be the endpoint URL.
    if ($unexpected -gt 0) { throw "$unexpected argument(s) matched no parameter. Name every parameter; write a model list as '-Model dingo,eagle'." }
    if ($Model.Count -eq 0) { throw 'No model: pass -Model dingo,eagle.' }
    if (-not $ModulePath) {
        $installed = Get-Module -ListAvailable -Name InsightFaceEval | Sort-Object Version -Descending | Select-Object -First 1
        $ModulePath = if ($installed) { $installed.Path } else { Join-Path $PSScriptRoot '../out/InsightFaceEval/InsightFaceEval.psd1' }
    }
    if (Test-Path -LiteralPath $ModulePath) { $ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path }
    Import-Module $ModulePath -Force
    if (-not $ServerUrl) { $ServerUrl = $env:INSIGHTFACE_SERVER_URL }
    if (-not $ServerUrl) { throw 'No endpoint URL: pass -ServerUrl or set $env:INSIGHTFACE_SERVER_URL.' }
    $DatasetPath = (Resolve-Path -LiteralPath $DatasetPath).Path
    $null = New-Item -ItemType Directory -Path $OutputRoot -Force
    $OutputRoot = (Resolve-Path -LiteralPath $OutputRoot).Path
    if (-not $StorePath) { $StorePath = Join-Path $OutputRoot 'store' }
    if (-not $BaselinePath) { $BaselinePath = Join-Path $OutputRoot 'baseline.json' }
    $summary.baselinePath = $BaselinePath

    # 1. Resumable extraction: the store skips every image it already holds for a model.
    $images = @(Get-ChildItem -LiteralPath $DatasetPath -Recurse -File | Where-Object { $_.Extension -in '.png', '.jpg', '.jpeg', '.webp', '.bmp' } | Sort-Object FullName)
    if ($images.Count -eq 0) { throw "No images under '$DatasetPath'." }
    Write-Log "Extracting $($images.Count) images x $($Model.Count) model(s) into the store."
    $extractArgs = @{
        Model = $Model; ServerUrl = $ServerUrl; OutputDirectory = $StorePath; DatasetRoot = $DatasetPath
        ThrottleLimit = $ThrottleLimit; MaximumRetryCount = $MaximumRetryCount; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'extractErrors'
        WarningAction = 'SilentlyContinue'; WarningVariable = 'extractWarnings'
    }
    if ($MaximumRequestsPerSecond -gt 0) { $extractArgs.MaximumRequestsPerSecond = $MaximumRequestsPerSecond }
    $summary.images = $images.Count
    # Collected one by one, so the counts stay true when extraction stops halfway.
    $collected = New-Object System.Collections.Generic.List[object]
    $stopped = $null
    try { $images | Get-FaceEmbedding @extractArgs | ForEach-Object { $collected.Add($_) } }
    catch { $stopped = $_ }
    $embeddings = $collected.ToArray()
    # A stopped pipeline leaves its exception (not an error record) in the error variable.
    $extractErrors = @($extractErrors | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } elseif ($_ -is [System.Management.Automation.IContainsErrorRecord]) { $_.ErrorRecord } })
    foreach ($w in $extractWarnings) { Write-Log "warning: $w" }
    # A failure to acquire (ErrorId GetFaceEmbeddingNoFace) is a result, counted by its NoFace embedding: not an error.
    $otherErrors = @($extractErrors | Where-Object { $_.FullyQualifiedErrorId.Split(',')[0] -ne 'GetFaceEmbeddingNoFace' })
    foreach ($e in $otherErrors) { Write-Log "error: $($e.FullyQualifiedErrorId): $($e.Exception.Message)" }
    $summary.uploaded = @($embeddings | Where-Object { -not $_.FromStore }).Count
    $summary.fromStore = @($embeddings | Where-Object { $_.FromStore }).Count
    $summary.noFace = @($embeddings | Where-Object { "$($_.Status)" -ne 'Success' }).Count
    # Image x model extractions with no result: failed, or never tried because extraction stopped.
    $summary.errors = [Math]::Max($otherErrors.Count, $images.Count * $Model.Count - $embeddings.Count)
    Write-Log "Uploaded $($summary.uploaded), from the store $($summary.fromStore), no face $($summary.noFace), errors $($summary.errors)."
    if ($summary.uploaded -eq 0) {
        # Nothing proved the endpoint alive tonight (every image came from the store, or every upload failed).
        $unreachable = Test-EndpointConnection $ServerUrl
        if ($unreachable) { throw "The endpoint (-ServerUrl or INSIGHTFACE_SERVER_URL) is unreachable: $unreachable." }
    }
    if ($stopped) { throw $stopped }
    if ($summary.errors -gt 0) { throw "$($summary.errors) image(s) could not be extracted; the store keeps what succeeded and the next run resumes." }

    # 2. Metrics.
    Write-Log "Measuring verification ($Protocol, $BootstrapSamples bootstrap samples)."
    $measured = @($embeddings | Measure-FaceVerification -Protocol $Protocol -BootstrapSamples $BootstrapSamples -WarningAction SilentlyContinue -WarningVariable measureWarnings)
    foreach ($w in $measureWarnings) { Write-Log "warning: $w" }
    $results = @($measured | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })
    if ($results.Count -eq 0) { throw 'Measure-FaceVerification returned no results.' }

    # 3. Report into a dated folder.
    $reportDir = Join-Path $OutputRoot ('reports/' + $started.ToString('yyyy-MM-dd_HHmmss'))
    $reports = [ordered]@{
        html     = Join-Path $reportDir 'report.html'
        json     = Join-Path $reportDir 'report.json'
        markdown = Join-Path $reportDir 'report.md'
    }
    $measured | Export-FaceEvaluationReport -Path $reports.html, $reports.json, $reports.markdown -EmbeddingStorePath $StorePath `
        -Title "Nightly evaluation $($started.ToString('yyyy-MM-dd'))" -ExcludeFaceImages:(-not $IncludeFaceImages) `
        -Metadata ([ordered]@{ Dataset = (Split-Path $DatasetPath -Leaf); Protocol = $Protocol }) -WarningAction SilentlyContinue
    $summary.reportDirectory = $reportDir
    $summary.reports = $reports
    Write-Log "Reports in $reportDir."

    # 4. Baseline check.
    $status = 'passed'
    if ($UpdateBaseline -or -not (Test-Path -LiteralPath $BaselinePath)) {
        $null = $results | Test-FaceVerificationBaseline -BaselinePath $BaselinePath -UpdateBaseline
        Write-Log "Baseline written: $BaselinePath."
        $status = 'baseline-created'
    }
    else {
        $checks = @($results | Test-FaceVerificationBaseline -BaselinePath $BaselinePath -Detailed -TarTolerance $TarTolerance `
                -EerTolerance $EerTolerance -AucTolerance $AucTolerance -FtaTolerance $FtaTolerance -WarningAction SilentlyContinue -WarningVariable baselineWarnings)
        foreach ($w in $baselineWarnings) { Write-Log "warning: $w" }
        $failed = @($checks | Where-Object { -not $_.Passed })
        $summary.checksFailed = @($failed | ForEach-Object {
                [ordered]@{ model = $_.Model; metric = $_.Metric; baseline = $_.Baseline; current = $_.Current; tolerance = $_.Tolerance; message = $_.Message }
            })
        if ($failed.Count -gt 0) { $status = 'regressed' }
        Write-Log "Baseline checks: $($checks.Count - $failed.Count) passed, $($failed.Count) failed."
    }

    # 5. Canary: the same bytes must still give the same vector under the same model name.
    if ($CanaryCount -gt 0) {
        $stored = @($embeddings | Where-Object { $_.FromStore -and "$($_.Status)" -eq 'Success' } | Sort-Object Model, RelativePath)
        $canaries = @($stored | Group-Object Model | ForEach-Object { $_.Group | Select-Object -First $CanaryCount })
        $scratch = Join-Path ([IO.Path]::GetTempPath()) ('face-eval-canary-' + [guid]::NewGuid().ToString('N'))
        try {
            $fresh = foreach ($group in $canaries | Group-Object Model) {
                $group.Group | ForEach-Object { Get-Item -LiteralPath $_.Path } |
                    Get-FaceEmbedding -Model $group.Name -ServerUrl $ServerUrl -OutputDirectory $scratch -DatasetRoot $DatasetPath -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            }
            $changed = @($fresh | Test-FaceEmbeddingDrift -ReferenceEmbedding $canaries | Where-Object Changed)
            $summary.canary = [ordered]@{ checked = $canaries.Count; changed = @($changed | ForEach-Object { [ordered]@{ model = $_.Model; image = $_.RelativePath; cosine = $_.Cosine } }) }
            if ($changed.Count -gt 0) {
                Write-Log "Canary: $($changed.Count) of $($canaries.Count) stored images now embed differently ($($changed[0].Reason)): the model behind the name changed. Re-extract with a new store (or Get-FaceEmbedding -Force) before trusting the metrics."
                $status = 'regressed'
            }
        }
        finally {
            Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    $summary.status = $status
    $summary.finishedAt = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
    Write-Summary $summary $(if ($status -eq 'regressed') { 1 } else { 0 })
}
catch {
    # Never echo the URL: exception messages of this module never hold it, and this script adds none.
    $summary.status = 'failed'
    $summary.message = $_.Exception.Message
    $summary.finishedAt = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
    Write-Log "failed: $($_.Exception.Message)"
    Write-Summary $summary 1
}
