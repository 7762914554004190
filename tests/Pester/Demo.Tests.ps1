# examples/demo.ps1 end to end on the sample photos, as `build.ps1 -Task Demo` runs it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $root = Get-TestRepositoryRoot
    $script:demo = Join-Path $root 'examples/demo.ps1'
    # The build fetches the sample model and photos and stages the endpoint; a partial checkout may lack them.
    $script:skip = if (-not (Test-Path (Join-Path $root '.cache/assets/faceplugin/model/fr_feature.onnx'))) { 'the sample model and photos are not fetched (build.ps1 -Task Fetch)' }
    elseif (-not (Test-Path (Join-Path $root 'out/LocalEndpoint/InsightFaceEval.LocalEndpoint.dll'))) { 'the local endpoint is not staged (build.ps1 -Task Build)' }
    else { $null }
}

Describe 'examples/demo.ps1' {
    It 'runs the whole evaluation on the sample faces and leaves HTML and JSON reports, from a path with a space' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        # From a repository whose path holds a space (as C:\Users\Jane Doe\ does): the script, with links to the staged
        # endpoint and the fetched samples it finds beside itself.
        $repository = Join-Path $TestDrive 'repo with space'
        $null = New-Item -ItemType Directory -Path (Join-Path $repository 'examples'), (Join-Path $repository 'out'), (Join-Path $repository '.cache') -Force
        # The script and what it reads beside itself (the by-eye identity labels).
        Get-ChildItem -LiteralPath (Split-Path $script:demo) -File | Copy-Item -Destination (Join-Path $repository 'examples')
        $linkType = if (Test-TestWindows) { 'Junction' } else { 'SymbolicLink' }
        $links = @{ 'out/LocalEndpoint' = 'out/LocalEndpoint'; '.cache/assets' = '.cache/assets' }
        foreach ($name in $links.Keys) {
            $null = New-Item -ItemType $linkType -Path (Join-Path $repository $name) -Target (Join-Path (Get-TestRepositoryRoot) $links[$name])
        }
        $out = Join-Path $TestDrive 'demo output'
        [string[]] $shell = Get-TestHostCommand
        try {
            $log = & $shell[0] @($shell | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $repository 'examples/demo.ps1') -OutputDirectory $out -BootstrapSamples 100 -ModulePath (Get-TestModuleManifest) 2>&1
        }
        finally {
            # Remove the links themselves (never what they point to) before Pester clears TestDrive.
            foreach ($name in $links.Keys) { [IO.Directory]::Delete((Join-Path $repository $name), $false) }
        }
        $text = ($log | Out-String)
        $LASTEXITCODE | Should -Be 0 -Because $text
        $html = Join-Path $out 'reports/demo-report.html'
        $json = Join-Path $out 'reports/demo-report.json'
        $text | Should -Match ([regex]::Escape("HTML report: $html"))
        $text | Should -Match ([regex]::Escape("JSON report: $json"))
        $text | Should -Match 'Stopped the local endpoint'
        $report = Get-Content $json -Raw | ConvertFrom-Json
        $report.models.name | Should -Be @('faceplugin', 'faceplugin-jpeg10')
        $report.dataset.identities | Should -BeGreaterOrEqual 10
        # Identities come from examples/demo-identities.csv: every face has four captures, and the one person seen in
        # two photos (sample1.jpg right, sample3.jpg middle) has one folder with both faces' captures.
        $folders = @(Get-ChildItem (Join-Path $out 'dataset') -Directory)
        $folders.Count | Should -Be 21
        $shared = @(Get-ChildItem (Join-Path $out 'dataset/person03') -Filter *.png | ForEach-Object Name | Sort-Object)
        $shared | Should -Be @('sample1-face02-margin05.png', 'sample1-face02-margin20.png', 'sample1-face02-margin40.png', 'sample1-face02-mirrored.png',
            'sample3-face01-margin05.png', 'sample3-face01-margin20.png', 'sample3-face01-margin40.png', 'sample3-face01-mirrored.png')
        @($folders | Where-Object { $_.Name -ne 'person03' -and @(Get-ChildItem $_.FullName -Filter *.png).Count -ne 4 }).Count | Should -Be 0
        $lossless = $report.models | Where-Object name -EQ 'faceplugin'
        $lossy = $report.models | Where-Object name -EQ 'faceplugin-jpeg10'
        $lossless.failureToAcquireRate | Should -Be 0
        $lossy.failureToAcquireRate | Should -BeGreaterThan 0 -Because 'the re-encoded uploads lose faces'
        $lossy.systemLevel.eer | Should -BeGreaterThan $lossless.systemLevel.eer
        # The metrics were measured from the very pairs in pair-scores.csv, failures and which side failed included.
        $report.dataset.protocol | Should -Be 'AllPairs'
        $pairs = @(Import-Csv (Join-Path $out 'reports/pair-scores.csv'))
        foreach ($m in $report.models) {
            @($pairs | Where-Object Model -EQ $m.name).Count | Should -Be ($m.systemLevel.genuinePairs + $m.systemLevel.impostorPairs)
        }
        # True genuine pairs across two different photos: the repeated person's 4 x 4 captures, scored by each model.
        foreach ($m in $report.models) {
            $cross = @($pairs | Where-Object { $_.Model -eq $m.name -and $_.IsGenuine -eq 'True' -and ($_.ReferenceRelativePath -split '-')[0] -ne ($_.DifferenceRelativePath -split '-')[0] })
            $cross.Count | Should -Be 16
            @($cross | ForEach-Object { @($_.ReferenceRelativePath, $_.DifferenceRelativePath) } | ForEach-Object { ($_ -split '/')[0] } | Sort-Object -Unique) | Should -Be 'person03'
        }
        $lossless.systemLevel.genuinePairs | Should -Be (22 * 6 + 16)
        $failedImages = @($pairs | Where-Object Model -EQ 'faceplugin-jpeg10' | ForEach-Object {
                if ($_.ReferenceStatus -eq 'NoFace') { $_.ReferenceRelativePath }
                if ($_.DifferenceStatus -eq 'NoFace') { $_.DifferenceRelativePath }
            } | Sort-Object -Unique)
        $failedImages.Count | Should -Be $lossy.failedImages
        # The verdict: lossless is recommended, at system level, with the reason, in the console and first in each report.
        $lossy.completed.eer | Should -BeLessThan $lossless.completed.eer -Because 'completed-only figures flatter the model that dropped the hard faces'
        $text | Should -Match 'Recommendation: Pick faceplugin: at FAR \S+, counting every image a model failed to acquire as a false reject \(system level\)'
        $text | Should -Match '(?m)^faceplugin\s+\d.*recommended\s*$'
        $text | Should -Not -Match '(?m)^faceplugin-jpeg10\s+\d.*recommended'
        $text | Should -Match 'faceplugin vs faceplugin-jpeg10: faceplugin is better \(system level'
        $report.recommendation.model | Should -Be 'faceplugin'
        $report.recommendation.text | Should -Match '^Pick faceplugin: .*system level.*Failure to acquire: faceplugin 0\.00%, faceplugin-jpeg10 \d+\.\d\d%'
        $report.recommendation.text | Should -Match 'faceplugin-jpeg10 looks better .* The system-level view decides'
        (Get-Content $json -TotalCount 4)[3] | Should -Match '"recommendation": \{'
        $report.comparisons[0].decidedBy | Should -Match '^SystemLevel TAR@FAR='
        # One rule for every difference: the decision's common-pair view and the detailed common-pair table agree.
        foreach ($view in @($report.comparisons[0].views | Where-Object pairSet -EQ 'CommonCompleted')) {
            $detail = $report.comparisons[0].differences | Where-Object metric -EQ $view.metric
            $detail.betterModel | Should -Be $view.betterModel -Because "$($view.metric) on common pairs is one number with one verdict"
        }
        $page = Get-Content $html -Raw -Encoding UTF8
        $first = [regex]::Match($page, '<p class="recommendation[^"]*" id="recommendation">([^<]*)</p>')
        $first.Success | Should -BeTrue
        [System.Net.WebUtility]::HtmlDecode($first.Groups[1].Value) | Should -Be $report.recommendation.text
        $page.IndexOf('id="recommendation"') | Should -BeLessThan $page.IndexOf('id="summary"')
        $report.provenance.endpointFingerprints.Count | Should -Be 1
        (Get-Content $html -Raw) | Should -Match '<img class="face"'
    }
}
