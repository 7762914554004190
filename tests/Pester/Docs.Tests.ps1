# The commands the README and the help print, executed exactly as printed (only the placeholder for the confidential
# URL is filled in), each in a fresh pwsh in a folder laid out as the text assumes: photos/<person>/<image>.jpg and,
# for the README, the staged module at ./out/InsightFaceEval. The endpoint is the local stand-in on loopback.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Get-TestRepositoryRoot
    . (Join-Path $script:root 'build/Assets.ps1')
    $script:skip = try {
        $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')
        if (-not (Test-Path -LiteralPath $script:assets.DetectorModel)) { 'the sample models and photos are not fetched (build.ps1 -Task Fetch)' }
        elseif (-not (Test-Path (Join-Path $script:root 'out/LocalEndpoint/InsightFaceEval.LocalEndpoint.dll'))) { 'the local endpoint is not staged (build.ps1 -Task Build)' }
        else { $null }
    }
    catch { "the sample models and photos cannot be fetched: $($_.Exception.Message)" }
    if ($script:skip) { return }
    $script:endpoint = Start-TestEndpoint

    function script:New-DocsWorkspace([string] $Name) {
        <# photos/p1/sample1.jpg .. photos/p6/sample6.jpg (one identity per photo), and ./out/InsightFaceEval linked to the staged module. #>
        $work = Join-Path $TestDrive $Name
        $i = 0
        foreach ($photo in $script:assets.Photos) {
            $i++
            $folder = Join-Path $work "photos/p$i"
            $null = New-Item -ItemType Directory -Path $folder -Force
            Copy-Item -LiteralPath $photo -Destination $folder
        }
        $null = New-Item -ItemType Directory -Path (Join-Path $work 'out') -Force
        $kind = if ($env:OS -eq 'Windows_NT') { 'Junction' } else { 'SymbolicLink' }
        $null = New-Item -ItemType $kind -Path (Join-Path $work 'out/InsightFaceEval') -Value (Split-Path $script:manifest)
        $work
    }

    function script:Get-ReadmeBlock([string] $Heading) {
        <# The first indented code block below the README heading, de-indented. #>
        $lines = Get-Content -LiteralPath (Join-Path $script:root 'README.md') -Encoding UTF8
        $start = [array]::IndexOf($lines, $Heading)
        if ($start -lt 0) { throw "README.md has no '$Heading'." }
        $block = [System.Collections.Generic.List[string]]::new()
        for ($i = $start + 1; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($line -match '^    ') { $block.Add($line.Substring(4)); continue }
            if ($block.Count -gt 0 -and $line.Trim() -and $line -notmatch '^    ') { break }
            if ($block.Count -gt 0) { $block.Add('') }
        }
        ($block -join "`n").Trim()
    }

    function script:Get-FenceBlock([string] $Path, [string] $Language) {
        <# The first ```<Language> block of a markdown page. #>
        $text = (Get-Content -LiteralPath $Path -Raw -Encoding UTF8) -replace "`r`n", "`n"
        $m = [regex]::Match($text, '(?s)```' + $Language + '\n(.*?)\n```')
        if (-not $m.Success) { throw "$Path has no $Language block." }
        $m.Groups[1].Value
    }

    function script:Get-HelpExampleCode([string] $Command, [string] $Title, [switch] $PromptedOnly) {
        <# A help example's code as Get-Help shows it, without the PS> and >> prompts (-PromptedOnly: without the output it shows). #>
        $example = (Get-Help $Command -Examples).examples.example | Where-Object { $_.title -like "*$Title*" }
        if (@($example).Count -ne 1) { throw "$Command has no single example '$Title'." }
        $lines = ($example.code -replace "`r", '') -split "`n"
        if ($PromptedOnly) { $lines = $lines | Where-Object { $_ -match '^(PS> |>>)' } }
        ($lines | ForEach-Object { $_ -replace '^(PS> |>> ?)', '' }) -join "`n"
    }

    function script:Invoke-Documented([string] $Directory, [string] $Code, [switch] $ImportModule) {
        <# Runs the code in a fresh pwsh in $Directory; returns its text output, its error records and exit code. #>
        $scriptPath = Join-Path $TestDrive ('doc-' + [guid]::NewGuid().ToString('N') + '.ps1')
        $preface = "`$ProgressPreference = 'SilentlyContinue'`nSet-Location -LiteralPath '$($Directory -replace "'", "''")'`n"
        if ($ImportModule) { $preface += "Import-Module '$($script:manifest -replace "'", "''")'`n" }
        Set-Content -LiteralPath $scriptPath -Value ($preface + $Code) -Encoding UTF8
        $exe = (Get-Process -Id $PID).Path
        [string[]] $lead = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $all = @(& $exe @lead -NoProfile -NonInteractive -File $scriptPath 2>&1)
        $ansi = [regex]'\x1b\[[0-9;?]*[A-Za-z]'
        [pscustomobject]@{
            Text     = $ansi.Replace(($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | Out-String), '')
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { $ansi.Replace("$_", '') })
            ExitCode = $LASTEXITCODE
        }
    }
}

AfterAll {
    if ($script:endpoint) { Stop-TestEndpoint $script:endpoint }
}

Describe 'The README quick start, then the help examples that use its store' {
    BeforeAll {
        if ($script:skip) { return }
        $script:work = New-DocsWorkspace 'quickstart'
        $script:quickStart = Get-ReadmeBlock '## Quick start against the hosted API'
        $url = "'" + $script:endpoint.Url + "'"
        $script:run = Invoke-Documented $script:work ($script:quickStart.Replace("'<the URL from the MOU email>'", $url))
    }

    It 'starts from Find-Face, not from a detections file nothing makes' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $script:quickStart | Should -Not -Match 'detections\.csv'
        $script:quickStart | Should -Match 'Find-Face'
    }

    It 'crops, extracts with two models and measures the sample photos as printed' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $script:run.Errors | Should -BeNullOrEmpty
        $script:run.ExitCode | Should -Be 0
        @(Get-ChildItem -LiteralPath (Join-Path $script:work 'crops') -Recurse -Filter *.png).Count | Should -Be 22
        @(Get-ChildItem -LiteralPath (Join-Path $script:work 'crops') -Directory).Name | Should -Be @('p1', 'p2', 'p3', 'p4', 'p5', 'p6')
        $stored = @(Import-FaceEmbedding (Join-Path $script:work 'store') -Model dingo, eagle)
        $stored.Count | Should -Be 44
        $script:run.Text | Should -Match 'dingo'
        $script:run.Text | Should -Match 'eagle'
    }

    It 'runs <Command> "<Title>" as printed' -ForEach @(
        @{ Command = 'Compare-FaceEmbedding'; Title = 'An LFW-style pair list'; Made = 'eagle-pairs.csv' }
        @{ Command = 'Measure-FaceIdentification'; Title = 'The CMC curve of one model'; Made = $null }
        @{ Command = 'Measure-FaceIdentification'; Title = 'Open-set operating points'; Made = $null }
        @{ Command = 'Measure-FaceVerification'; Title = 'Save the numbers for a report or a nightly baseline'; Made = 'verification.json' }
        @{ Command = 'Test-FaceVerificationBaseline'; Title = 'check a report written earlier'; Made = $null }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $store = Join-Path $script:work 'store'
        # What the examples take as given: a pair list, a baseline and an earlier report.
        $crops = @(Import-FaceEmbedding $store -Model eagle | Sort-Object RelativePath)
        $pairLines = @('image1_path,image2_path,label', "$($crops[0].RelativePath),$($crops[1].RelativePath),$([int]($crops[0].Identity -eq $crops[1].Identity))",
            "$($crops[0].RelativePath),$($crops[-1].RelativePath),0")
        Set-Content -LiteralPath (Join-Path $script:work 'pairs.txt') -Value $pairLines -Encoding UTF8
        $reports = Join-Path $script:work 'reports/2025-06-01'
        if (-not (Test-Path -LiteralPath $reports)) {
            $null = New-Item -ItemType Directory -Path $reports -Force
            $results = Import-FaceEmbedding $store -Model dingo | Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0
            $results | Export-FaceEvaluationReport -Path (Join-Path $reports 'report.json')
            $null = $results | Test-FaceVerificationBaseline (Join-Path $script:work 'baseline.json') -UpdateBaseline
        }

        $directory = $script:work
        if ($Title -eq 'Open-set operating points') {
            # Open-set search needs the 1:N layout: the quick start's crops as gallery/, probe/ and unknown/ people.
            $directory = Join-Path $TestDrive 'open-set'
            foreach ($person in 'p1', 'p2', 'p3', 'p4') {
                foreach ($role in 'gallery', 'probe') {
                    $null = New-Item -ItemType Directory -Path (Join-Path $directory "crops/$role/$person") -Force
                    Copy-Item -Path (Join-Path $script:work "crops/$person/*.png") -Destination (Join-Path $directory "crops/$role/$person")
                }
            }
            $null = New-Item -ItemType Directory -Path (Join-Path $directory 'crops/unknown') -Force
            Copy-Item -Path (Join-Path $script:work 'crops/p5/*.png'), (Join-Path $script:work 'crops/p6/*.png') -Destination (Join-Path $directory 'crops/unknown')
            $null = Get-ChildItem -LiteralPath (Join-Path $directory 'crops') -Recurse -Filter *.png |
                Get-FaceEmbedding -Model dingo, eagle -ServerUrl $script:endpoint.Url -OutputDirectory (Join-Path $directory 'store') -DatasetRoot (Join-Path $directory 'crops')
        }

        $code = Get-HelpExampleCode $Command $Title
        $run = Invoke-Documented $directory $code -ImportModule
        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        if ($Made) { Join-Path $script:work $Made | Should -Exist }
        switch ($Title) {
            'An LFW-style pair list' { @(Import-Csv (Join-Path $script:work $Made)).Count | Should -Be 2 }
            'Save the numbers for a report or a nightly baseline' { @(Get-Content (Join-Path $script:work $Made) -Raw | ConvertFrom-Json).Count | Should -BeGreaterThan 1 }
            'check a report written earlier' { $run.Text.Trim() | Should -Be 'True' }
            'Open-set operating points' { $run.Text | Should -Match '0[.,]01' }
            default { $run.Text.Trim() | Should -Not -BeNullOrEmpty }
        }
    }
}

Describe 'New-FaceCrop Example 5 as printed' {
    It 'shows what it would write with -WhatIf, writing nothing, then writes with -Force' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $work = New-DocsWorkspace 'example5'
        $lines = @((Get-HelpExampleCode New-FaceCrop 'See what would be written' -PromptedOnly) -split "`n")
        $lines.Count | Should -Be 2
        $whatIf = Invoke-Documented $work $lines[0] -ImportModule
        $whatIf.Errors | Should -BeNullOrEmpty
        ([regex]::Matches($whatIf.Text, 'What if: Performing the operation "Create face crop')).Count | Should -Be 6
        Join-Path $work 'crops' | Should -Not -Exist
        $forced = Invoke-Documented $work $lines[1] -ImportModule
        $forced.Errors | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath (Join-Path $work 'crops') -Recurse -Filter *.png).Count | Should -Be 6
        # Run again without -Force: the same crops exist with the same bytes, so they are passed on, not refused.
        $again = Invoke-Documented $work ($lines[1] -replace ' -Force$', '') -ImportModule
        $again.Errors | Should -BeNullOrEmpty
    }
}

Describe 'The README help commands and the about_InsightFaceEval workflow' {
    It 'shows the help the README names' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $work = New-DocsWorkspace 'help'
        $lines = @((Get-ReadmeBlock '## Help') -split "`n" | Where-Object { $_.Trim() })
        $lines | Should -Be @('Get-Help about_InsightFaceEval', 'Get-Help New-FaceCrop -Full', 'Get-Help Get-FaceEmbedding -Examples')
        # One command at a time, as typed at a prompt.
        $shown = foreach ($line in $lines) {
            $run = Invoke-Documented $work $line -ImportModule
            $run.Errors | Should -BeNullOrEmpty
            $run.Text
        }
        $shown[0] | Should -Match 'THE WORKFLOW'
        $shown[1] | Should -Match '-OutputDirectory <String>'
        $shown[1] | Should -Match 'RELATED LINKS\s+Get-FaceEmbedding\s+Find-Face\s+about_InsightFaceEval'
        $shown[2] | Should -Match 'Example 6: Check the delivered model'
    }

    It 'runs the workflow of about_InsightFaceEval as printed, up to the reports' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $work = New-DocsWorkspace 'about'
        $code = Get-FenceBlock (Join-Path $script:root 'docs/en-US/about_InsightFaceEval.md') 'powershell'
        $env:INSIGHTFACE_SERVER_URL = $script:endpoint.Url
        try { $run = Invoke-Documented $work $code -ImportModule }
        finally { Remove-Item Env:INSIGHTFACE_SERVER_URL }
        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        @(Get-ChildItem -LiteralPath (Join-Path $work 'crops') -Recurse -Filter *.png).Count | Should -Be 22
        Join-Path $work 'report.html' | Should -Exist
        (Get-Content (Join-Path $work 'report.json') -Raw | ConvertFrom-Json).models.name | Should -Be @('dingo', 'eagle')
    }
}
