# Runs Pester in this (child) process and writes a JSON summary for build.ps1.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultsDirectory,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # Several test files arrive as separate arguments (pwsh -File cannot pass an array).
    [Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Path
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDirectory 'pester.xml'
$result = Invoke-Pester -Configuration $config
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# Each skipped test with its reason, so the build's last lines say what did not run and why.
$skippedTests = @($result.Skipped | ForEach-Object {
        $reason = @($_.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join ' '
        if (-not $reason) { $reason = 'skipped' }
        [pscustomobject]@{ Name = $_.ExpandedPath; Reason = $reason }
    })
[pscustomobject]@{
    Passed       = $result.PassedCount
    Failed       = $failed
    Skipped      = $result.SkippedCount + $result.NotRunCount
    SkippedTests = $skippedTests
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $SummaryPath -Encoding UTF8
exit ([int]($failed -gt 0))
