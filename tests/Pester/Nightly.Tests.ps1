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

    function Get-ClosedLoopbackUrl {
        # A loopback port nothing listens on (bound, then released), with a secret-looking path to search outputs for.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        "http://127.0.0.1:$port/v1/secret-token-closed"
    }
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

    It 'writes the summary to the pipeline: "nightly.ps1 ... | Out-File x.json -Encoding UTF8" keeps it in x.json' {
        $json = Join-Path $TestDrive 'piped summary.json'
        $exe = (Get-Process -Id $PID).Path
        [string[]] $lead = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $command = "& '$($script:nightly)' -DatasetPath '$($script:dataset)' -Model dingo -OutputRoot '$($script:outRoot)' -BootstrapSamples 20 " +
            "-ServerUrl '$($script:endpoint.Url)' -ModulePath '$(Get-TestModuleManifest)' | Out-File '$json' -Encoding UTF8; exit `$LASTEXITCODE"
        $console = & $exe @lead -NoProfile -NonInteractive -Command $command 2>$null
        $LASTEXITCODE | Should -Be 0
        $summary = Get-Content -LiteralPath $json -Raw -Encoding UTF8 | ConvertFrom-Json
        $summary.status | Should -Be 'passed'
        $summary.fromStore | Should -Be 24
        ($console -join '') | Should -Not -Match '"status"' -Because 'the summary went into the file, not past it to the console'
    }

    It 'takes a model list as pwsh -File passes it: "-Model dingo,eagle" and the shell form "-Model dingo, eagle"' {
        $root = Join-Path $TestDrive 'two-models'
        $joined = Invoke-Nightly @('-DatasetPath', $script:dataset, '-Model', 'dingo,eagle', '-OutputRoot', $root, '-BootstrapSamples', '20', '-ServerUrl', $script:endpoint.Url)
        $joined.ExitCode | Should -Be 0 -Because $joined.StdErr
        @($joined.Summary.models) | Should -Be @('dingo', 'eagle')
        $joined.Summary.uploaded | Should -Be 48
        # 'pwsh -File nightly.ps1 -Model dingo, eagle' from sh: the arguments 'dingo,' and 'eagle'.
        $spaced = Invoke-Nightly @('-DatasetPath', $script:dataset, '-Model', 'dingo,', 'eagle', '-OutputRoot', $root, '-BootstrapSamples', '20', '-ServerUrl', $script:endpoint.Url)
        $spaced.ExitCode | Should -Be 0 -Because $spaced.StdErr
        @($spaced.Summary.models) | Should -Be @('dingo', 'eagle')
        $spaced.Summary.fromStore | Should -Be 48
        $spaced.Summary.status | Should -Be 'passed'
    }

    It 'fails on a stray argument instead of binding it to another parameter, without echoing it' {
        $run = Invoke-Nightly @('-DatasetPath', $script:dataset, '-Model', 'dingo', 'https://stray.example/secret-token-stray', '-OutputRoot', (Join-Path $TestDrive 'stray'), '-ServerUrl', $script:endpoint.Url)
        $run.ExitCode | Should -Be 1
        $run.Summary.status | Should -Be 'failed'
        $run.Summary.message | Should -Match 'matched no parameter'
        $run.StdOut + $run.StdErr | Should -Not -Match 'secret-token-stray'
    }

    It 'fails when the endpoint is unreachable although nothing is new (everything from the store), with true counts' {
        $url = Get-ClosedLoopbackUrl
        $run = Invoke-Nightly @('-DatasetPath', $script:dataset, '-Model', 'dingo', '-OutputRoot', $script:outRoot, '-BootstrapSamples', '20', '-ServerUrl', $url)
        $run.ExitCode | Should -Be 1 -Because $run.StdErr
        $s = $run.Summary
        $s.status | Should -Be 'failed'
        $s.message | Should -Match 'endpoint .*unreachable: connection refused'
        $s.images | Should -Be 24
        $s.fromStore | Should -Be 24
        $s.uploaded | Should -Be 0
        $s.errors | Should -Be 0
        $run.StdOut + $run.StdErr | Should -Not -Match 'secret-token-closed'
        $run.StdOut + $run.StdErr | Should -Not -Match ([regex]::Escape(([uri]$url).Authority))
    }

    It 'fails fast on an unreachable endpoint with new images, counting the stored and the failed ones' {
        $mixed = Join-Path $TestDrive 'faces-mixed'
        Copy-Item -LiteralPath $script:dataset -Destination $mixed -Recurse
        $null = New-TestImageFiles -Path (Join-Path $mixed 'new') -Count 3 -Identities 3 -Seed 77
        $url = Get-ClosedLoopbackUrl
        $run = Invoke-Nightly @('-DatasetPath', $mixed, '-Model', 'dingo', '-OutputRoot', $script:outRoot, '-BootstrapSamples', '20', '-ServerUrl', $url, '-MaximumRetryCount', '0')
        $run.ExitCode | Should -Be 1 -Because $run.StdErr
        $s = $run.Summary
        $s.status | Should -Be 'failed'
        $s.message | Should -Match 'endpoint .*unreachable'
        $s.images | Should -Be 27
        $s.fromStore | Should -Be 24
        $s.uploaded | Should -Be 0
        $s.errors | Should -Be 3
        $run.StdOut + $run.StdErr | Should -Not -Match 'secret-token-closed'
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
        $run.Summary.images | Should -Be 24
        $run.Summary.errors | Should -Be 24
        $run.Summary.message | Should -Match 'endpoint .*unreachable'
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
