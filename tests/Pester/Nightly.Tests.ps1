# examples/nightly.ps1 run as a scheduler runs it: a child pwsh, JSON on stdout, the exit code.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    Import-Module (Join-Path $PSScriptRoot 'ReportTestData.psm1') -Force
    $script:nightly = Join-Path (Get-TestRepositoryRoot) 'examples/nightly.ps1'

    function Invoke-Nightly {
        param([string[]] $Arguments)
        $exe = (Get-Process -Id $PID).Path
        [string[]] $lead = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $stderr = Join-Path $TestDrive ('nightly-' + [guid]::NewGuid().ToString('N') + '.err')
        $stdout = & $exe @lead -NoProfile -NonInteractive -File $script:nightly @Arguments -ModulePath (Get-TestModuleManifest) 2>$stderr
        $code = $LASTEXITCODE
        $text = ($stdout -join "`n")
        [pscustomobject]@{
            ExitCode = $code
            StdOut   = $text
            StdErr   = Get-Content -LiteralPath $stderr -Raw -ErrorAction SilentlyContinue
            Summary  = $(try { $text | ConvertFrom-Json } catch { $null })
        }
    }

    function Get-Requests($Endpoint) { [int](Get-TestEndpointStats $Endpoint).requests }
}

Describe 'nightly.ps1 against the local endpoint' {
    BeforeAll {
        $script:dataset = Join-Path $TestDrive 'faces'
        $null = New-TestImageFiles -Path $script:dataset -Count 24 -Identities 6 -NoFaceCount 1
        $script:outRoot = Join-Path $TestDrive 'nightly'
        $script:endpoint = Start-TestEndpoint
        $script:common = @('-DatasetPath', $script:dataset, '-Model', 'dingo', '-OutputRoot', $script:outRoot, '-BootstrapSamples', '20', '-ServerUrl', $script:endpoint.Url)
        $script:first = Invoke-Nightly $script:common
        $script:afterFirst = Get-Requests $script:endpoint
        $script:second = Invoke-Nightly $script:common
        $script:afterSecond = Get-Requests $script:endpoint
    }

    AfterAll { $script:endpoint | Stop-TestEndpoint }

    It 'first run: uploads every image, writes the dated reports and the baseline, exits 0' {
        $script:first.ExitCode | Should -Be 0 -Because $script:first.StdErr
        $s = $script:first.Summary
        $s.status | Should -Be 'baseline-created'
        $s.images | Should -Be 24
        $s.uploaded | Should -Be 24
        $s.noFace | Should -Be 1
        $script:afterFirst | Should -Be 24
        $s.reportDirectory | Should -Match ([regex]::Escape((Join-Path $script:outRoot 'reports')) + '.\d{4}-\d{2}-\d{2}_\d{6}$')
        $s.reports.html, $s.reports.json, $s.reports.markdown | Should -Exist
        $s.baselinePath | Should -Exist
        (Get-Content $s.reports.html -Raw) | Should -Not -Match 'data:image/' -Because 'nightly reports leave faces out by default'
    }

    It 'second run: uploads nothing new, checks against the baseline, exits 0' {
        $script:second.ExitCode | Should -Be 0 -Because $script:second.StdErr
        $s = $script:second.Summary
        $s.status | Should -Be 'passed'
        $s.uploaded | Should -Be 0
        $s.fromStore | Should -Be 24
        $script:afterSecond | Should -Be $script:afterFirst -Because 'the endpoint saw no request in the second run'
        @($s.checksFailed).Count | Should -Be 0
        $s.reportDirectory | Should -Not -Be $script:first.Summary.reportDirectory
    }

    It 'prints nothing but the JSON summary on stdout, and never the URL' {
        foreach ($run in $script:first, $script:second) {
            $run.Summary | Should -Not -BeNullOrEmpty -Because "stdout must be one JSON object, got: $($run.StdOut)"
            $run.StdOut | Should -Not -Match $script:endpoint.Token
            $run.StdErr | Should -Not -Match $script:endpoint.Token
            $run.StdErr | Should -Match 'Uploaded'
        }
        foreach ($file in Get-ChildItem $script:outRoot -Recurse -File -Include *.json, *.html, *.md) {
            (Get-Content $file.FullName -Raw) | Should -Not -Match $script:endpoint.Token
        }
    }

    It 'a model replaced behind the same name is caught by the canary, even with nothing new to upload' {
        # The same name, another model: here the stand-in's 'dingo' with a different embedding length.
        $swapped = Start-TestEndpoint -Models @{ dingo = 256 }
        try {
            $arguments = @('-DatasetPath', $script:dataset, '-Model', 'dingo', '-OutputRoot', $script:outRoot, '-BootstrapSamples', '20', '-ServerUrl', $swapped.Url, '-CanaryCount', '3')
            $run = Invoke-Nightly $arguments
            $run.ExitCode | Should -Be 1 -Because $run.StdErr
            $run.Summary.status | Should -Be 'regressed'
            $run.Summary.uploaded | Should -Be 0
            $run.Summary.canary.checked | Should -Be 3
            @($run.Summary.canary.changed).Count | Should -Be 3
            Get-Requests $swapped | Should -Be 3 -Because 'only the canaries were uploaded'
        }
        finally { $swapped | Stop-TestEndpoint }
    }

    It 'fails with exit code 1 and a JSON summary when the endpoint is unreachable' {
        $run = Invoke-Nightly @('-DatasetPath', $script:dataset, '-Model', 'dingo', '-OutputRoot', (Join-Path $TestDrive 'other'), '-ServerUrl', 'http://127.0.0.1:9/v1/secret-token-xyz', '-BootstrapSamples', '20', '-MaximumRetryCount', '0')
        $run.ExitCode | Should -Be 1
        $run.Summary.status | Should -Be 'failed'
        $run.StdOut | Should -Not -Match 'secret-token-xyz'
        $run.StdErr | Should -Not -Match 'secret-token-xyz'
    }
}

Describe 'nightly.ps1 with a degraded real model behind the same name' {
    BeforeAll {
        $script:realModel = Join-Path (Get-TestRepositoryRoot) '.cache/assets/faceplugin/model/fr_feature.onnx'
        $script:realSkip = if (-not (Test-Path $script:realModel)) { 'the sample model is not fetched (build.ps1 -Task Fetch)' } else { $null }
        if ($script:realSkip) { return }
        # Real faces: the faces of three sample photos, cropped with two margins, one identity per face.
        $photos = Join-Path (Get-TestRepositoryRoot) '.cache/assets/face-api/demo'
        $script:faces = Join-Path $TestDrive 'real'
        $staging = Join-Path $TestDrive 'real-crops'
        $detected = @(Get-ChildItem $photos -Filter 'sample*.jpg' | Where-Object Name -Match '^sample[1-3]\.jpg$' | Find-Face | Where-Object { [Math]::Min($_.BoundingBox[2], $_.BoundingBox[3]) -ge 40 })
        foreach ($margin in 0.1, 0.3) {
            foreach ($crop in $detected | New-FaceCrop -OutputDirectory (Join-Path $staging $margin) -ExpansionFactor $margin) {
                $folder = Join-Path $script:faces ('{0}-{1}' -f [IO.Path]::GetFileNameWithoutExtension($crop.SourcePath), $crop.FaceIndex)
                $null = New-Item -ItemType Directory -Path $folder -Force
                Copy-Item $crop.Path (Join-Path $folder "m$margin.png")
            }
        }
        $script:realRoot = Join-Path $TestDrive 'real-nightly'
    }

    It 'exits 0 on the healthy model and 1 once the model behind the name re-encodes uploads as JPEG q5' {
        if ($script:realSkip) { Set-ItResult -Skipped -Because $script:realSkip; return }
        # normalization=faceplugin: the sample recogniser's own pixel convention (its fr_feature.js).
        $healthy = Start-TestEndpoint -Models @{ dingo = "$($script:realModel);normalization=faceplugin" }
        try {
            $run = Invoke-Nightly @('-DatasetPath', $script:faces, '-Model', 'dingo', '-OutputRoot', $script:realRoot, '-BootstrapSamples', '50', '-ServerUrl', $healthy.Url)
            $run.ExitCode | Should -Be 0 -Because $run.StdErr
            $run.Summary.status | Should -Be 'baseline-created'
        }
        finally { $healthy | Stop-TestEndpoint }

        $degraded = Start-TestEndpoint -Models @{ dingo = "$($script:realModel);normalization=faceplugin;jpeg=5" }
        try {
            # A fresh store, the same baseline: tonight's numbers come from the degraded model.
            $run = Invoke-Nightly @('-DatasetPath', $script:faces, '-Model', 'dingo', '-OutputRoot', $script:realRoot, '-StorePath', (Join-Path $TestDrive 'real-store-2'), '-BootstrapSamples', '50', '-ServerUrl', $degraded.Url)
            $run.ExitCode | Should -Be 1 -Because $run.StdErr
            $run.Summary.status | Should -Be 'regressed'
            @($run.Summary.checksFailed).Count | Should -BeGreaterThan 0
            Write-Host ("Failed checks: " + (($run.Summary.checksFailed | ForEach-Object { "$($_.metric) $($_.baseline) -> $($_.current)" }) -join '; '))
        }
        finally { $degraded | Stop-TestEndpoint }
    }
}
